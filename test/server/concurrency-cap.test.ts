import { describe, expect, it } from 'vitest';
import { createSseTransport, isChatError, type ChatMessage } from 'colloquy/core';
import {
  createChatHandlers,
  createMemoryConcurrencyStore,
  createMemoryConversationStore,
  type ChatHandlersOptions,
  type ChatLogEvent,
  type ConcurrencyStore,
} from 'colloquy/server';
import { call, historyHandlers, userMessage } from './history-support.js';
import { CHAT_URL, fetchFrom, mockOpenAI, post, setupOpenAIServer, STREAM_URL, testClient, userTurn } from './support.js';

const server = setupOpenAIServer();

/** Forty words, one a minute: a stream that stays open for the whole test unless something ends it. */
const SLOW = { reply: Array.from({ length: 40 }, (_, index) => `w${index}`).join(' '), chunkIntervalMs: 60_000 };

function handlers(options: Partial<ChatHandlersOptions> = {}) {
  return createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', ...options });
}

/** A request from the client at `ip` (its key: the default key is the first `X-Forwarded-For` address). */
function from(url: string, ip: string, signal?: AbortSignal): Request {
  return post(url, userTurn(), { headers: { 'X-Forwarded-For': ip }, ...(signal === undefined ? {} : { signal }) });
}

/** A logger that keeps its events. */
function recordedLog(): { logger: NonNullable<ChatHandlersOptions['logger']>; events: ChatLogEvent[] } {
  const events: ChatLogEvent[] = [];
  const write = (event: ChatLogEvent): void => void events.push(event);
  return { logger: { info: write, warn: write, error: write }, events };
}

/** Lets every pending promise reaction run (no I/O is involved once the answer's last hook ran). */
const drained = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('concurrency cap: answers in flight per client key', () => {
  it('refuses a fourth stream at once with 429, Retry-After and a typed body, without an upstream call', async () => {
    const upstream = mockOpenAI(server, SLOW);
    const { stream, chat } = handlers();
    const connections = [new AbortController(), new AbortController(), new AbortController()];
    for (const connection of connections) expect((await stream(from(STREAM_URL, '198.51.100.7', connection.signal))).status).toBe(200);
    expect(upstream.count).toBe(3);

    const refused = await stream(from(STREAM_URL, '198.51.100.7'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('1');
    expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: 'Too many answers at once. Wait for one to finish.' } });
    // The JSON route shares the cap: a chat answer is in flight exactly like a stream.
    expect((await chat(from(CHAT_URL, '198.51.100.7'))).status).toBe(429);
    expect(upstream.count).toBe(3);

    // Another client is not affected.
    const other = new AbortController();
    expect((await stream(from(STREAM_URL, '203.0.113.9', other.signal))).status).toBe(200);
    expect(upstream.count).toBe(4);
    for (const connection of [...connections, other]) connection.abort();
  });

  it('reaches the kit client as a rate_limited ChatError with the wait', async () => {
    mockOpenAI(server, SLOW);
    const { stream } = handlers({ concurrency: { maxConcurrent: 1 } });
    const connection = new AbortController();
    expect((await stream(post(STREAM_URL, userTurn(), { signal: connection.signal }))).status).toBe(200);
    const transport = createSseTransport({ url: STREAM_URL, fetch: fetchFrom(stream) });
    const message: ChatMessage = {
      id: 'u2',
      parentId: null,
      role: 'user',
      parts: [{ type: 'text', text: 'Hi', state: 'done' }],
      createdAt: '2025-01-01T00:00:00Z',
      status: 'pending',
    };
    const failure = await (async () => {
      try {
        for await (const event of transport.send({ messages: [message] }, { signal: new AbortController().signal })) void event;
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(isChatError(failure) && { code: failure.code, retryAfterMs: failure.retryAfterMs }).toEqual({ code: 'rate_limited', retryAfterMs: 1000 });
    connection.abort();
  });

  it('holds a slot until the client has read the whole answer, then frees it', async () => {
    const upstream = mockOpenAI(server, { reply: 'Short answer.' });
    const { logger, events } = recordedLog();
    const { stream } = handlers({ logger });
    const unread = [await stream(from(STREAM_URL, '198.51.100.7')), await stream(from(STREAM_URL, '198.51.100.7')), await stream(from(STREAM_URL, '198.51.100.7'))];
    // The model finished all three (each logged), but nobody read them yet: they are still in flight.
    await expect.poll(() => events.filter((event) => event.finishReason === 'stop').length).toBe(3);
    await drained();
    expect((await stream(from(STREAM_URL, '198.51.100.7'))).status).toBe(429);
    expect(await unread[0]!.text()).toContain('data: [DONE]');
    const next = await stream(from(STREAM_URL, '198.51.100.7'));
    expect(next.status).toBe(200);
    expect(upstream.count).toBe(4);
    await Promise.all([next, ...unread.slice(1)].map((response) => response.text()));
  });

  it('frees the slot of an answer that failed, before or after its 200', async () => {
    const refusedUpstream = mockOpenAI(server, { status: 500 });
    const { stream } = handlers();
    // Four failures in a row: none is refused by the cap, so each released its slot.
    for (let attempt = 0; attempt < 4; attempt += 1) expect((await stream(from(STREAM_URL, '198.51.100.7'))).status).toBe(502);
    expect(refusedUpstream.count).toBe(4);

    const cutUpstream = mockOpenAI(server, { reply: 'one two three four', cutAfterChunks: 2 });
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const response = await stream(from(STREAM_URL, '198.51.100.7'));
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('event: error');
    }
    expect(cutUpstream.count).toBe(4);
  });

  it('frees the slot when the client leaves: body cancelled, or connection closed', async () => {
    const upstream = mockOpenAI(server, SLOW);
    const { logger, events } = recordedLog();
    const { stream } = handlers({ concurrency: { maxConcurrent: 1 }, logger });
    const left = async (count: number): Promise<void> => {
      // The answer's last hook logs; what follows it (the slot's release) is promise reactions only.
      await expect.poll(() => events.filter((event) => event.code === 'aborted').length).toBe(count);
      await drained();
    };

    const cancelled = await stream(from(STREAM_URL, '198.51.100.7'));
    expect((await stream(from(STREAM_URL, '198.51.100.7'))).status).toBe(429);
    await cancelled.body!.cancel();
    await left(1);

    const connection = new AbortController();
    expect((await stream(from(STREAM_URL, '198.51.100.7', connection.signal))).status).toBe(200);
    expect((await stream(from(STREAM_URL, '198.51.100.7'))).status).toBe(429);
    connection.abort();
    await left(2);

    const last = new AbortController();
    expect((await stream(from(STREAM_URL, '198.51.100.7', last.signal))).status).toBe(200);
    expect(upstream.count).toBe(3);
    last.abort();
  });

  it('counts JSON answers in flight, and frees their slot when they end', async () => {
    const upstream = mockOpenAI(server, { firstByteDelayMs: 'infinite' });
    const { chat, stream } = handlers();
    const connections = [new AbortController(), new AbortController(), new AbortController()];
    const pending = connections.map((connection) => chat(from(CHAT_URL, '198.51.100.7', connection.signal)));
    await expect.poll(() => upstream.count).toBe(3);
    expect((await stream(from(STREAM_URL, '198.51.100.7'))).status).toBe(429);
    connections[0]!.abort();
    expect((await pending[0])!.status).toBe(499);
    const fourth = new AbortController();
    const admitted = chat(from(CHAT_URL, '198.51.100.7', fourth.signal));
    await expect.poll(() => upstream.count).toBe(4);
    for (const connection of [...connections, fourth]) connection.abort();
    await Promise.all([...pending, admitted]);
  });

  it('uses the given store and key, and can be turned off', async () => {
    const upstream = mockOpenAI(server, SLOW);
    const calls: string[] = [];
    const memory = createMemoryConcurrencyStore();
    const store: ConcurrencyStore = {
      acquire: (key, max) => {
        calls.push(`acquire ${key} ${max}`);
        return memory.acquire(key, max);
      },
      release: (key) => {
        calls.push(`release ${key}`);
        return memory.release(key);
      },
    };
    const { stream } = handlers({
      concurrency: { maxConcurrent: 2, store },
      rateLimit: { maxRequests: 100, intervalMs: 60_000, key: (request) => request.headers.get('x-user') ?? 'nobody' },
    });
    const response = await stream(post(STREAM_URL, userTurn(), { headers: { 'X-User': 'alice' } }));
    await response.body!.cancel();
    await expect.poll(() => calls).toEqual(['acquire alice 2', 'release alice']);

    const { stream: uncapped } = handlers({ concurrency: false });
    const connections = Array.from({ length: 5 }, () => new AbortController());
    for (const connection of connections) expect((await uncapped(post(STREAM_URL, userTurn(), { signal: connection.signal }))).status).toBe(200);
    expect(upstream.count).toBe(6);
    for (const connection of connections) connection.abort();
    expect(() => handlers({ concurrency: { maxConcurrent: 0 } })).toThrow(RangeError);
  });
});

describe('concurrency cap: history sends, per owner', () => {
  it('refuses a fourth streaming send of an owner before its body is read, and admits another owner', async () => {
    const upstream = mockOpenAI(server, SLOW);
    const history = historyHandlers(createMemoryConversationStore());
    const connections: AbortController[] = [];
    const send = (user: string, conversation: string, id: string) => {
      const connection = new AbortController();
      connections.push(connection);
      return call(history, 'POST', `/${conversation}/messages`, { user, body: userMessage(id, 'Hi'), accept: 'text/event-stream', signal: connection.signal });
    };
    for (const conversation of ['c1', 'c2', 'c3']) {
      expect((await call(history, 'POST', '', { body: { id: conversation } })).status).toBe(201);
      expect((await send('alice', conversation, `u-${conversation}`)).status).toBe(200);
    }
    const refused = await send('alice', 'c1', 'u-extra');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('1');
    expect(upstream.count).toBe(3);
    // Refused before the body was read: the message was not stored.
    const page = (await (await call(history, 'GET', '/c1/messages')).json()) as { messages: Array<{ id: string }> };
    expect(page.messages.map((message) => message.id)).not.toContain('u-extra');

    expect((await call(history, 'POST', '', { user: 'bob', body: { id: 'b1' } })).status).toBe(201);
    expect((await send('bob', 'b1', 'u-bob')).status).toBe(200);
    expect(upstream.count).toBe(4);
    for (const connection of connections) connection.abort();
  });
});
