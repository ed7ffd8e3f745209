import { PGlite } from '@electric-sql/pglite';
import { createParser } from 'eventsource-parser';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import {
  createHistoryHandlers,
  createMemoryConversationStore,
  createSqlConversationStore,
  migrate,
  type ConversationStore,
  type HistoryHandlersOptions,
  type HistoryRouteHandlers,
  type StoredMessage,
} from 'colloquy/server';
import { testClient } from './support.js';

/** Where the tests mount the history endpoints (the default `basePath`). */
export const API = 'http://localhost/api/conversations';

/** The store of the running test: a fresh memory store, or a PGlite database emptied before each test. */
export interface StoreFixture {
  readonly kind: 'memory' | 'PGlite';
  readonly store: ConversationStore;
}

/**
 * Runs `body` once per backend: the memory store and the SQL store on PGlite (one embedded database per file,
 * migrated once, truncated before each test), so every endpoint behaves the same on both.
 */
export function describeEachStore(body: (fixture: StoreFixture) => void): void {
  describe('memory store', () => {
    let store: ConversationStore | undefined;
    beforeEach(() => {
      store = createMemoryConversationStore();
    });
    body({ kind: 'memory', get store() { return store!; } });
  });

  describe('SQL store on PGlite', () => {
    let db: PGlite | undefined;
    let store: ConversationStore | undefined;
    beforeAll(async () => {
      db = new PGlite();
      await migrate(db);
    }, 60_000);
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db!.query('TRUNCATE colloquy_conversations CASCADE');
      store = createSqlConversationStore({ client: db! });
    });
    body({ kind: 'PGlite', get store() { return store!; } });
  });
}

/** Handlers on the emulated OpenAI, where the `X-User` header is the signed-in user (none: 401). */
export function historyHandlers(store: ConversationStore, options: Partial<HistoryHandlersOptions> = {}): HistoryRouteHandlers {
  return createHistoryHandlers({
    openai: testClient(),
    model: 'gpt-4o-mini',
    store,
    authorize: (request) => request.headers.get('x-user'),
    ...options,
  });
}

/** Options of {@link call}. */
export interface CallInit {
  /** The signed-in user; `null` sends no `X-User`. @defaultValue 'alice' */
  user?: string | null;
  /** Sent as JSON (a string is sent as is). */
  body?: unknown;
  accept?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** One request to the endpoints through `handle`; `path` is relative to {@link API} (`''`, `/c1/messages`…). */
export function call(handlers: HistoryRouteHandlers, method: string, path: string, init: CallInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const user = init.user === undefined ? 'alice' : init.user;
  if (user !== null) headers.set('X-User', user);
  if (init.accept !== undefined) headers.set('Accept', init.accept);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  return handlers.handle(
    new Request(`${API}${path}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      ...(init.signal === undefined ? {} : { signal: init.signal }),
    }),
  );
}

/** The JSON body of a response, after checking its status. */
export async function jsonOf<T = Record<string, unknown>>(response: Response | Promise<Response>, status = 200): Promise<T> {
  const resolved = await response;
  const body = (await resolved.json()) as T;
  expect({ status: resolved.status, body }).toMatchObject({ status });
  return body;
}

/** The error code of an error answer, after checking its status. */
export async function errorOf(response: Response | Promise<Response>, status: number): Promise<string> {
  const body = await jsonOf<{ error: { code: string } }>(response, status);
  return body.error.code;
}

/** The protocol's send body for a user message. */
export function userMessage(id: string, text: string, extra: Record<string, unknown> = {}): { message: Record<string, unknown> } {
  return { message: { id, role: 'user', parts: [{ type: 'text', text }], ...extra } };
}

/** Every stored message of a conversation, oldest first (one page of 200). */
export async function storedMessages(handlers: HistoryRouteHandlers, conversationId: string, user = 'alice'): Promise<StoredMessage[]> {
  const page = await jsonOf<{ messages: StoredMessage[] }>(call(handlers, 'GET', `/${encodeURIComponent(conversationId)}/messages?limit=200`, { user }));
  return page.messages;
}

/** Polls the stored messages until `done` holds for them (an answer that ends after its response), at most 2 s. */
export async function storedWhen(
  handlers: HistoryRouteHandlers,
  conversationId: string,
  done: (messages: StoredMessage[]) => boolean,
): Promise<StoredMessage[]> {
  const until = Date.now() + 2000;
  for (;;) {
    const messages = await storedMessages(handlers, conversationId);
    if (done(messages) || Date.now() > until) return messages;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The text parts of a message, joined. */
export function textOf(message: StoredMessage | undefined): string {
  return (message?.parts ?? []).map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

/** One SSE event as the reader saw it. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Reads an SSE body event by event, so a test can stop after `k` of them. */
export function sseReader(response: Response): { next(): Promise<SseEvent | undefined>; cancel(): Promise<void> } {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const queue: SseEvent[] = [];
  const parser = createParser({ onEvent: (message) => queue.push({ ...(message.event === undefined ? {} : { event: message.event }), data: message.data }) });
  return {
    async next() {
      while (queue.length === 0) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        parser.feed(decoder.decode(value, { stream: true }));
      }
      return queue.shift();
    },
    cancel: () => reader.cancel(),
  };
}

/** Reads a whole SSE body into its events. */
export async function sseEvents(response: Response): Promise<SseEvent[]> {
  const reader = sseReader(response);
  const events: SseEvent[] = [];
  for (let event = await reader.next(); event !== undefined; event = await reader.next()) events.push(event);
  return events;
}

/** The `content` of data events, joined. */
export function contentOf(events: SseEvent[]): string {
  return events
    .filter((event) => event.event === undefined && event.data !== '[DONE]')
    .map((event) => (JSON.parse(event.data) as { content?: string }).content ?? '')
    .join('');
}

/** A store whose answer writes (`upsertAssistantMessage`) each wait `delayMs` first: a slow database. */
export function slowAnswerWrites(store: ConversationStore, delayMs: number): ConversationStore {
  return {
    ...store,
    upsertAssistantMessage: async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return store.upsertAssistantMessage(...args);
    },
  };
}
