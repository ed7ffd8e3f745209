import { createOpenAIHandlers } from 'colloquy/mocks';
import { createChatHandlers, createHistoryHandlers, type ChatLogEvent, type ChatLogger, type RouteHandler } from 'colloquy/server';
import { getResponse } from 'msw';
import OpenAI from 'openai';

/** Loaded by the dev server (demo/vite.config.ts) through Vite, so `colloquy/*` resolves to the sources and edits apply. */

const EMULATED_BASE_URL = 'http://openai.emulated/v1';

/** An OpenAI client whose requests never leave the process: MSW's OpenAI emulation from mocks/ answers them. */
function emulatedOpenAI(): OpenAI {
  // A delay per token so the answer visibly streams (the emulation's replies are deterministic: see mocks/replies.ts).
  const handlers = Object.values(createOpenAIHandlers({ baseUrl: EMULATED_BASE_URL, chunkIntervalMs: 40 }));
  return new OpenAI({
    apiKey: 'sk-demo-emulated',
    baseURL: EMULATED_BASE_URL,
    async fetch(input, init) {
      const request = new Request(input, init);
      const response = await getResponse(handlers, request);
      return response ?? Response.json({ error: { message: `No emulation for ${request.method} ${request.url}.`, type: 'invalid_request_error', param: null, code: null } }, { status: 404 });
    },
  });
}

const apiKey = process.env.OPENAI_API_KEY?.trim();
const model = process.env.OPENAI_MODEL || 'gpt-4o-mini';

/** Which upstream answers, for the page and the terminal. */
export const upstream = apiKey ? `OpenAI (${model})` : 'emulated OpenAI (no OPENAI_API_KEY)';

function logLine(event: ChatLogEvent): string {
  const details = [event.code, event.finishReason, event.usage ? `${event.usage.totalTokens} tokens` : undefined].filter(Boolean);
  const route = event.operation === undefined ? event.route : `${event.route} ${event.operation}`;
  return `[chat] ${route} ${event.status} ${event.latencyMs} ms${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

const logger: ChatLogger = {
  info: (event) => console.info(logLine(event)),
  warn: (event) => console.warn(logLine(event)),
  error: (event) => console.error(logLine(event), event.upstream ?? ''),
};

// Without a key, one emulated client for both handler sets; with one, the kit creates the real client from the key.
const options = { model, system: 'You are a helpful assistant. Answer briefly.', logger, ...(apiKey ? {} : { openai: emulatedOpenAI() }) };

const chat = createChatHandlers(options);

// Conversations in memory (gone on restart), all owned by one local user: this server only runs on your machine.
// A real app's `authorize` returns the signed-in user's id from its session.
const history = createHistoryHandlers({ ...options, authorize: () => 'demo-user' });

/** The endpoints the demo page calls: exact paths by method, then path prefixes answered by a router. */
export const routes: Record<string, Record<string, RouteHandler>> = {
  '/api/chat': { POST: chat.chat, OPTIONS: chat.options },
  '/api/chat/stream': { POST: chat.stream, OPTIONS: chat.options },
};

/** `/api/conversations` and everything below it. */
export const prefixRoutes: Record<string, RouteHandler> = {
  '/api/conversations': history.handle,
};
