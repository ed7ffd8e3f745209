'use server';
// Pattern 3: a server action (ChatServerAction, createFunctionTransport). A 'use server' file exports async functions only.
import type { WireChatRequest } from 'colloquy/core';
import { answerChat } from '@/lib/chat';

export async function chatAction(request: WireChatRequest) {
  return answerChat(request);
}
