// Pattern 1: the whole answer as JSON (ChatSimple, createJsonTransport).
import { chatHandlers } from '@/lib/chat';
export const { chat: POST, options: OPTIONS } = chatHandlers;
