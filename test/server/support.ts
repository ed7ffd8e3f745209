import { createParser } from 'eventsource-parser';
import { setupServer } from 'msw/node';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createOpenAIHandlers, type OpenAIMockOptions } from 'colloquy/mocks';
import type { RouteHandler } from 'colloquy/server';

/** The emulated OpenAI's base URL: never the real API. */
export const OPENAI_BASE = 'http://openai.test/v1';
export const CHAT_URL = 'http://localhost/api/chat';
export const STREAM_URL = 'http://localhost/api/chat/stream';

/** An MSW server for the calling file; unhandled requests fail, so nothing can reach the network. */
export function setupOpenAIServer(): ReturnType<typeof setupServer> {
  const server = setupServer();
  // MSW keeps an unread clone of every mocked response for this event; the SDK awaits the cancel of a failed
  // response's body before retrying, and a tee's cancel waits for both branches. Release the clones.
  server.events.on('response:mocked', ({ response }) => {
    response.body?.cancel().catch(() => undefined);
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** A real SDK client pointed at the emulated API. Create it inside a test: the SDK captures `fetch` when constructed. */
export function testClient(maxRetries = 0, apiKey = 'sk-test'): OpenAI {
  return new OpenAI({ apiKey, baseURL: OPENAI_BASE, maxRetries });
}

/** Every request the emulated OpenAI received, with its parsed body. */
export interface UpstreamLog {
  requests: Array<{ request: Request; body: Record<string, unknown> }>;
  readonly count: number;
  lastBody(): Record<string, unknown>;
}

/** Installs the emulated chat completions endpoint with `options`, recording its requests. */
export function mockOpenAI(server: ReturnType<typeof setupServer>, options: OpenAIMockOptions = {}): UpstreamLog {
  const log: UpstreamLog = {
    requests: [],
    get count() {
      return log.requests.length;
    },
    lastBody() {
      const last = log.requests[log.requests.length - 1];
      if (last === undefined) throw new Error('No upstream request was made.');
      return last.body;
    },
  };
  server.use(
    createOpenAIHandlers({
      baseUrl: OPENAI_BASE,
      ...options,
      onRequest(request, body) {
        log.requests.push({ request, body: body as Record<string, unknown> });
        options.onRequest?.(request, body);
      },
    }).completions,
  );
  return log;
}

/** A POST with a JSON body (a string is sent as is). */
export function post(url: string, body: unknown, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(init.signal === undefined ? {} : { signal: init.signal }),
  });
}

/** The protocol's request for one user message. */
export function userTurn(text = 'Hello'): { messages: Array<{ id: string; role: 'user'; parts: Array<{ type: 'text'; text: string }> }> } {
  return { messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text }] }] };
}

/** A `fetch` that answers from a handler, so the kit's client transports read exactly what the handler writes. */
export function fetchFrom(handler: RouteHandler): typeof fetch {
  return (input, init) => handler(new Request(input instanceof Request ? input : String(input), init));
}

/** One parsed SSE item: an event, or a comment. */
export type SseItem = { kind: 'event'; event?: string; data: string } | { kind: 'comment'; text: string };

/** Reads a whole SSE body into events and comments. */
export async function readSse(response: Response): Promise<SseItem[]> {
  return parseSse(await response.text());
}

/** Parses SSE text into events and comments. */
export function parseSse(text: string): SseItem[] {
  const items: SseItem[] = [];
  const parser = createParser({
    onEvent: (message) => items.push({ kind: 'event', ...(message.event === undefined ? {} : { event: message.event }), data: message.data }),
    onComment: (comment) => items.push({ kind: 'comment', text: comment.trim() }),
  });
  parser.feed(text);
  return items;
}

/** The concatenated `content` of a kit stream's data frames. */
export function streamedText(items: SseItem[]): string {
  let text = '';
  for (const item of items) {
    if (item.kind !== 'event' || item.event !== undefined || item.data === '[DONE]') continue;
    const payload = JSON.parse(item.data) as { content?: string };
    text += payload.content ?? '';
  }
  return text;
}

/** Resolves when `signal` aborts, with the time it took from `since` (ms, `performance.now()`). */
export function abortedAfter(signal: AbortSignal, since: () => number): Promise<number> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(0);
    else signal.addEventListener('abort', () => resolve(performance.now() - since()), { once: true });
  });
}
