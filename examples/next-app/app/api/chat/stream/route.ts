// Pattern 2: the answer as server-sent events (ChatStreaming, createSseTransport).
import { chatHandlers } from '@/lib/chat';
export const { stream: POST, options: OPTIONS } = chatHandlers;
