import { createChatAction, createChatHandlers, type ChatModelOptions } from 'colloquy/server';

/**
 * One configuration for every entry point. The API key stays on the server: the kit reads `OPENAI_API_KEY` on the
 * first request, so `next build` needs no key, and without one at run time each request answers the kit's error.
 */
export const chatOptions: ChatModelOptions = {
  model: process.env.OPENAI_MODEL || 'gpt-4o-mini',
  system: 'You are a helpful assistant. Answer briefly.',
  logger: console,
};

/** `POST /api/chat` (JSON) and `POST /api/chat/stream` (SSE). */
export const chatHandlers = createChatHandlers(chatOptions);

/** The server action behind `app/actions.ts`. */
export const answerChat = createChatAction(chatOptions);
