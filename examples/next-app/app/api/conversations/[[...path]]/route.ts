// Pattern 4: conversations persisted on the server, every history endpoint in one catch-all route.
import { historyHandlers } from '@/lib/history';
export const { GET, POST, PATCH, DELETE, OPTIONS } = historyHandlers;
