import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSseTransport, type ChatMessage } from 'colloquy/core';
import { createChatHandlers } from 'colloquy/server';
import { abortedAfter, fetchFrom, mockOpenAI, parseSse, post, setupOpenAIServer, STREAM_URL, testClient, userTurn } from './support.js';

const server = setupOpenAIServer();

const LONG_REPLY = Array.from({ length: 40 }, (_, index) => `word${index}`).join(' ');

const message: ChatMessage = {
  id: 'u1',
  parentId: null,
  role: 'user',
  parts: [{ type: 'text', text: 'Hi', state: 'done' }],
  createdAt: '2025-01-01T00:00:00Z',
  status: 'pending',
};

/** The latency from the client's abort to the upstream request's signal, or a failure after a second. */
async function measureAbort(upstreamSignal: AbortSignal, abort: () => void): Promise<number> {
  let abortedAt = 0;
  const latency = abortedAfter(upstreamSignal, () => abortedAt);
  abortedAt = performance.now();
  abort();
  return Promise.race([latency, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('upstream never aborted')), 1000))]);
}

describe('stream handler: the client leaving aborts the upstream request at once', () => {
  it('Stop in the kit client mid-answer aborts the OpenAI request within 50 ms', async () => {
    let upstream: Request | undefined;
    const log = mockOpenAI(server, { reply: LONG_REPLY, chunkIntervalMs: 100, onRequest: (request) => (upstream = request) });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini' });
    const transport = createSseTransport({ url: STREAM_URL, fetch: fetchFrom(stream) });
    const stop = new AbortController();
    const events = transport.send({ messages: [message] }, { signal: stop.signal })[Symbol.asyncIterator]();
    expect((await events.next()).value).toEqual({ type: 'delta', content: 'word0' });
    const latency = await measureAbort(upstream!.signal, () => stop.abort());
    console.info(`abort propagation (kit client Stop → OpenAI request signal): ${latency.toFixed(2)} ms`);
    expect(latency).toBeLessThan(50);
    await expect(events.next()).rejects.toMatchObject({ code: 'aborted' });
    expect(log.count).toBe(1);
  });

  it("the request's signal aborting (a closed connection) aborts the upstream, even unread", async () => {
    let upstream: Request | undefined;
    mockOpenAI(server, { reply: LONG_REPLY, chunkIntervalMs: 100, onRequest: (request) => (upstream = request) });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini' });
    const connection = new AbortController();
    const response = await stream(post(STREAM_URL, userTurn(), { signal: connection.signal }));
    expect(response.status).toBe(200);
    const latency = await measureAbort(upstream!.signal, () => connection.abort());
    expect(latency).toBeLessThan(50);
  });

  it('cancelling the response body (the server runtime saw the client go) aborts the upstream', async () => {
    let upstream: Request | undefined;
    mockOpenAI(server, { reply: LONG_REPLY, chunkIntervalMs: 100, onRequest: (request) => (upstream = request) });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini' });
    const response = await stream(post(STREAM_URL, userTurn()));
    const reader = response.body!.getReader();
    await reader.read();
    const latency = await measureAbort(upstream!.signal, () => void reader.cancel());
    expect(latency).toBeLessThan(50);
  });

  it('aborting while OpenAI has not answered yet aborts the pending upstream request', async () => {
    let upstream: Request | undefined;
    const arrived = new Promise<void>((resolve) => {
      mockOpenAI(server, {
        firstByteDelayMs: 'infinite',
        onRequest: (request) => {
          upstream = request;
          resolve();
        },
      });
    });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini' });
    const connection = new AbortController();
    const pending = stream(post(STREAM_URL, userTurn(), { signal: connection.signal }));
    await arrived;
    const latency = await measureAbort(upstream!.signal, () => connection.abort());
    console.info(`abort propagation before the first byte: ${latency.toFixed(2)} ms`);
    expect(latency).toBeLessThan(50);
    expect((await pending).status).toBe(499);
  });
});

describe('stream handler: heartbeats (fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Reads a body in the background, stamping each chunk with the fake clock. */
  function record(body: ReadableStream<Uint8Array>, start: number): { chunks: Array<{ atMs: number; text: string }>; done: Promise<void> } {
    const chunks: Array<{ atMs: number; text: string }> = [];
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const done = (async () => {
      for (;;) {
        const { done: ended, value } = await reader.read();
        if (ended) return;
        chunks.push({ atMs: Date.now() - start, text: decoder.decode(value, { stream: true }) });
      }
    })();
    return { chunks, done };
  }

  it('sends ": heartbeat" every 15 s while OpenAI has not answered, then the answer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const start = Date.now();
    mockOpenAI(server, { firstByteDelayMs: 40_000, reply: 'Finally here.' });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', timeoutMs: 120_000 });
    const pending = stream(post(STREAM_URL, userTurn()));
    await vi.advanceTimersByTimeAsync(15_000);
    const response = await pending;
    expect(response.status).toBe(200);
    const { chunks, done } = record(response.body!, start);
    await vi.advanceTimersByTimeAsync(30_000);
    await done;
    const heartbeats = chunks.filter((chunk) => chunk.text === ': heartbeat\n\n').map((chunk) => chunk.atMs);
    console.info(`heartbeats while OpenAI was silent for 40 s: at ${heartbeats.join(', ')} ms`);
    expect(heartbeats).toEqual([15_000, 30_000]);
    const items = parseSse(chunks.map((chunk) => chunk.text).join(''));
    expect(items.filter((item) => item.kind === 'comment')).toHaveLength(2);
    expect(items.at(-1)).toEqual({ kind: 'event', data: '[DONE]' });
    expect(chunks.find((chunk) => chunk.text.includes('Finally'))?.atMs).toBe(40_000);
  });

  it('sends a heartbeat 15 s into every pause of the stream, and none while text flows', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const start = Date.now();
    mockOpenAI(server, { reply: 'one two three', chunkIntervalMs: 20_000 });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', timeoutMs: 120_000 });
    const response = await stream(post(STREAM_URL, userTurn()));
    const { chunks, done } = record(response.body!, start);
    await vi.advanceTimersByTimeAsync(61_000);
    await done;
    const heartbeats = chunks.filter((chunk) => chunk.text === ': heartbeat\n\n').map((chunk) => chunk.atMs);
    expect(heartbeats).toEqual([15_000, 35_000, 55_000]);
  });
});
