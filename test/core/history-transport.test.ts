import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { ChatError, createHistoryTransport, isChatError, type ChatEvent, type ChatMessage, type ChatRequest } from 'colloquy/core';
import { createHistoryDb, createHistoryHandlers, LONG_CONVERSATION_ID, type HistoryDb, type HistoryHandlerOptions } from 'colloquy/mocks';
import { collect, deltaText, setupMswServer } from '../helpers/transport-harness.js';

const BASE = 'http://localhost/api';
const REPLY = 'one two three four five six seven eight';
const server = setupMswServer();
const transport = createHistoryTransport({ baseUrl: `${BASE}/` });

function mock(options: HistoryHandlerOptions = {}): HistoryDb {
  const db = options.db ?? createHistoryDb();
  server.use(...Object.values(createHistoryHandlers({ tokensPerSecond: Infinity, reply: REPLY, ...options, db })));
  return db;
}

function question(text: string, id = 'u1', parentId: string | null = null): ChatMessage {
  return { id, parentId, role: 'user', parts: [{ type: 'text', text, state: 'done' }], createdAt: '2025-01-01T00:00:00.000Z', status: 'pending' };
}

function turn(conversationId: string | undefined, text = 'Hello', extra: Partial<ChatRequest> = {}): ChatRequest {
  return { messages: [question(text)], ...(conversationId === undefined ? {} : { conversationId }), ...extra };
}

function codeOf(error: unknown): string | undefined {
  return isChatError(error) ? error.code : undefined;
}

/** Records the stop calls the transport makes. */
function watchStops(): string[] {
  const stops: string[] = [];
  server.events.on('request:start', ({ request }) => {
    if (request.url.endsWith('/stop')) stops.push(new URL(request.url).pathname);
  });
  return stops;
}

describe('createHistoryTransport: send', () => {
  it('POSTs the last message with its parent to the conversation, with the chosen Accept', async () => {
    const seen: Array<{ url: string; accept: string | null; body: unknown }> = [];
    server.use(
      http.post(`${BASE}/conversations/:id/messages`, async ({ request }) => {
        seen.push({ url: request.url, accept: request.headers.get('accept'), body: await request.json() });
        return HttpResponse.json({ error: { code: 'server_error', message: 'x' } }, { status: 500 });
      }),
    );
    const request: ChatRequest = {
      messages: [question('First', 'u0'), { ...question('Second', 'u2', 'u0') }],
      conversationId: 'c/1',
      body: { locale: 'en-GB', message: 'overwritten' },
    };
    await collect(transport, request);
    await collect(createHistoryTransport({ baseUrl: BASE, accept: 'json' }), turn('c1'));
    expect(seen[0]?.url).toBe(`${BASE}/conversations/c%2F1/messages`);
    expect(seen[0]?.accept).toBe('text/event-stream');
    expect(seen[0]?.body).toMatchObject({ locale: 'en-GB', message: { id: 'u2', role: 'user', parentId: 'u0', parts: [{ type: 'text', text: 'Second' }] } });
    expect(seen[1]?.accept).toBe('application/json');
    // The first message the client knows of names no parent: the server follows its newest stored message.
    expect(seen[1]?.body).toEqual({ message: expect.not.objectContaining({ parentId: expect.anything() }) });
  });

  it('streams the answer with the server id first (SSE), and the same events from a JSON answer', async () => {
    mock();
    const sse = await collect(transport, turn('conv-new'));
    expect(sse.error).toBeUndefined();
    expect(sse.events[0]).toEqual({ type: 'start', messageId: 'u1-reply' });
    expect(deltaText(sse.events)).toBe(REPLY);
    expect(sse.events.at(-1)).toEqual({ type: 'done', finishReason: 'stop' });
    mock();
    const json = await collect(createHistoryTransport({ baseUrl: BASE, accept: 'json' }), turn('conv-new', 'Hello', { messages: [question('Hi', 'u5')] }));
    expect(json.events.map((event) => event.type)).toEqual(['start', 'delta', 'usage', 'done']);
    expect(json.events[0]).toEqual({ type: 'start', messageId: 'u5-reply' });
    expect(json.events[3]).toMatchObject({ type: 'done', finishReason: 'stop', message: { id: 'u5-reply' } });
  });

  it('refuses a turn without a conversation id, and reports server errors as ChatErrors', async () => {
    expect(codeOf((await collect(transport, turn(undefined))).error)).toBe('invalid_input');
    mock();
    expect(codeOf((await collect(transport, turn('nope'))).error)).toBe('not_found');
    mock({ faults: { save: 'rate_limited' }, retryAfterSeconds: 3 });
    const limited = (await collect(transport, turn('conv-new'))).error;
    expect(limited).toMatchObject({ code: 'rate_limited', retryAfterMs: 3000 });
  });

  it('reads the stream with the SSE transport rules (idle timeout)', async () => {
    server.use(
      http.post(`${BASE}/conversations/:id/messages`, async () => {
        await delay('infinite');
        return new HttpResponse(null);
      }),
    );
    const slow = createHistoryTransport({ baseUrl: BASE, idleTimeoutMs: 30 });
    expect(codeOf((await collect(slow, turn('c1'))).error)).toBe('timeout');
  });
});

describe('createHistoryTransport: stop', () => {
  async function stopAfter(db: HistoryDb, count: number, reason: unknown): Promise<{ text: string; error: unknown }> {
    mock({ db, tokensPerSecond: 50 });
    const controller = new AbortController();
    const events: ChatEvent[] = [];
    let error: unknown;
    try {
      for await (const event of transport.send(turn('conv-new'), { signal: controller.signal })) {
        events.push(event);
        if (events.filter((item) => item.type === 'delta').length === count) controller.abort(reason);
      }
    } catch (caught) {
      error = caught;
    }
    return { text: deltaText(events), error };
  }

  it("a user stop (an 'aborted' ChatError) tells the server once: stored cancelled with exactly the forwarded text", async () => {
    const stops = watchStops();
    const db = createHistoryDb();
    const { text, error } = await stopAfter(db, 3, new ChatError('aborted', 'Stopped.'));
    expect(codeOf(error)).toBe('aborted');
    expect(text).toBe('one two three');
    await vi.waitFor(() => expect(db.answerTo('conv-new', 'u1')?.status).toBe('cancelled'));
    expect(db.answerTo('conv-new', 'u1')?.parts).toEqual([{ type: 'text', text }]);
    expect(stops).toEqual(['/api/conversations/conv-new/messages/u1-reply/stop']);
  });

  it('an abort for another reason (a timeout, a closed page) sends no stop: stored error', async () => {
    const stops = watchStops();
    const db = createHistoryDb();
    const { text } = await stopAfter(db, 2, new ChatError('timeout', 'Too slow.'));
    await vi.waitFor(() => expect(db.answerTo('conv-new', 'u1')?.status).toBe('error'));
    expect(db.answerTo('conv-new', 'u1')?.parts).toEqual([{ type: 'text', text }]);
    await delay(50);
    expect(stops).toEqual([]);
  });

  it('sends no stop when the answer id is not known yet', async () => {
    const stops = watchStops();
    mock({ latencyMs: 'infinite' });
    const controller = new AbortController();
    const pending = collect(transport, turn('conv-new'), controller.signal);
    await delay(10);
    controller.abort(new ChatError('aborted', 'Stopped.'));
    expect(codeOf((await pending).error)).toBe('aborted');
    expect(stops).toEqual([]);
  });
});

describe('createHistoryTransport: REST', () => {
  it('lists, creates, gets, renames and deletes conversations, every answer validated', async () => {
    mock();
    const first = await transport.listConversations({ limit: 2 });
    expect(first.conversations.map((item) => item.id)).toEqual(['conv-report', 'conv-new']);
    const second = await transport.listConversations({ limit: 2, cursor: first.nextCursor });
    expect(second.conversations.map((item) => item.id)).toEqual(['conv-generics', 'conv-sourdough']);
    const created = await transport.createConversation({ id: 'c-9', title: 'Plans' });
    expect(created).toMatchObject({ id: 'c-9', title: 'Plans' });
    expect(await transport.createConversation({ id: 'c-9' })).toEqual(created);
    expect(await transport.getConversation('c-9')).toEqual(created);
    expect((await transport.renameConversation('c-9', 'Holiday')).title).toBe('Holiday');
    await transport.deleteConversation('c-9');
    await expect(transport.deleteConversation('c-9')).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(transport.renameConversation('conv-new', '  ')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('lists messages backwards as ChatMessages', async () => {
    mock();
    const newest = await transport.listMessages(LONG_CONVERSATION_ID);
    expect(newest.messages).toHaveLength(100);
    expect(newest.messages[0]).toMatchObject({ id: `${LONG_CONVERSATION_ID}-4901`, role: 'user', status: 'complete', parts: [{ type: 'text', state: 'done' }] });
    const older = await transport.listMessages(LONG_CONVERSATION_ID, { cursor: newest.nextCursor, limit: 10 });
    expect(older.messages.map((message) => message.id)).toEqual(Array.from({ length: 10 }, (_, i) => `${LONG_CONVERSATION_ID}-${4891 + i}`));
    await expect(transport.listMessages('nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses answers that do not validate, or are not JSON, with bad_response', async () => {
    server.use(
      http.get(`${BASE}/conversations`, () => HttpResponse.json({ conversations: [{ id: 1 }], nextCursor: null })),
      http.get(`${BASE}/conversations/:id`, () => new HttpResponse('<html></html>', { headers: { 'Content-Type': 'text/html' } })),
      http.get(`${BASE}/conversations/:id/messages`, () =>
        HttpResponse.json({ messages: [{ id: 'm', parentId: null, role: 'system', parts: [], createdAt: '2025-01-01T00:00:00Z', status: 'complete' }], nextCursor: null }),
      ),
    );
    await expect(transport.listConversations()).rejects.toMatchObject({ code: 'bad_response' });
    await expect(transport.getConversation('x')).rejects.toMatchObject({ code: 'bad_response' });
    await expect(transport.listMessages('x')).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('maps network failures and aborts, and passes headers and credentials', async () => {
    server.use(http.get(`${BASE}/conversations`, () => HttpResponse.error()));
    await expect(transport.listConversations()).rejects.toMatchObject({ code: 'network' });
    const controller = new AbortController();
    controller.abort();
    await expect(transport.getConversation('conv-new', { signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
    mock();
    const calls: RequestInit[] = [];
    const custom = createHistoryTransport({
      baseUrl: BASE,
      credentials: 'include',
      headers: () => ({ Authorization: 'Bearer t' }),
      fetch: (input, init) => {
        calls.push(init ?? {});
        return globalThis.fetch(input, init);
      },
    });
    await custom.getConversation('conv-new');
    expect(calls[0]?.credentials).toBe('include');
    expect(new Headers(calls[0]?.headers).get('authorization')).toBe('Bearer t');
    expect(new Headers(calls[0]?.headers).get('content-type')).toBeNull();
  });
});
