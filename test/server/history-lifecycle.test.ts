import { connect } from 'node:net';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryConversationStore, type HistoryRouteHandlers, type StoredMessage } from 'colloquy/server';
import { serveOnLoopback, type LoopbackServer } from '../helpers/node-loopback.js';
import { latencyReport, LONG_REPLY, SSE, streamUntil, timeAbort } from './history-stop.contract.js';
import { call, historyHandlers, jsonOf, slowAnswerWrites, sseReader, storedWhen, textOf, userMessage } from './history-support.js';
import { abortedAfter, mockOpenAI, OPENAI_BASE, setupOpenAIServer } from './support.js';

// Lifecycle cases that depend on timing or transport rather than on the store: memory store only.
const server = setupOpenAIServer();

afterAll(() => {
  console.info(latencyReport());
});

describe('a stop that arrives before the answer row exists (memory store)', () => {
  it('is remembered: the answer ends cancelled even when its first write lands after the stop call returned', async () => {
    // Answer writes take longer than the stop call waits for the generation (0.5 s): the stop's own cancelAnswer
    // finds no row, so only the remembered stop can make the row, written later, end cancelled.
    const store = slowAnswerWrites(createMemoryConversationStore(), 600);
    const handlers = historyHandlers(store);
    await jsonOf(call(handlers, 'POST', '', { body: { id: 'c1' } }), 201);
    const live = await streamUntil(server, handlers, 1);
    expect(await store.findAnswer('alice', 'c1', 'u1')).toBeNull();
    const latency = await timeAbort('memory: stop before the row exists', live.upstream.signal, () =>
      call(handlers, 'POST', `/c1/messages/${live.messageId}/stop`).then((response) => expect(response.status).toBe(204)),
    );
    expect(latency).toBeLessThan(50);
    expect(await store.findAnswer('alice', 'c1', 'u1')).toBeNull();
    live.connection.abort();
    let answer: StoredMessage | null = null;
    for (const until = Date.now() + 3000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 20))) {
      answer = await store.findAnswer('alice', 'c1', 'u1');
      if (answer !== null && answer.status !== 'streaming') break;
    }
    expect(answer).toMatchObject({ id: live.messageId, status: 'cancelled' });
    expect(textOf(answer ?? undefined)).toBe('w0');
  }, 10_000);
});

describe('deltas the client never received (memory store)', () => {
  it('are not stored: upstream chunks already buffered are dropped once the client cancelled', async () => {
    // Two network chunks, both queued at once: the second (b, c, d, the end) is there to read when the client leaves.
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const reads = [chunk({ content: 'a' }), ['b', 'c', 'd'].map((content) => chunk({ content })).join('') + chunk({}, 'stop') + 'data: [DONE]\n\n'];
    const body = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const read of reads) controller.enqueue(new TextEncoder().encode(read));
          controller.close();
        },
      });
    server.use(http.post(`${OPENAI_BASE}/chat/completions`, () => new HttpResponse(body(), { headers: { 'Content-Type': 'text/event-stream' } })));
    // The first answer write is slow, so the client's cancel lands while the server still handles the first delta.
    const store = slowAnswerWrites(createMemoryConversationStore(), 100);
    const handlers = historyHandlers(store);
    await jsonOf(call(handlers, 'POST', '', { body: { id: 'c1' } }), 201);
    const reader = sseReader(await call(handlers, 'POST', '/c1/messages', { body: userMessage('u1', 'Hi'), accept: SSE }));
    await reader.next();
    expect(await reader.next()).toEqual({ data: JSON.stringify({ content: 'a' }) });
    await reader.cancel();
    let answer: StoredMessage | null = null;
    for (const until = Date.now() + 2000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 20))) {
      answer = await store.findAnswer('alice', 'c1', 'u1');
      if (answer !== null && answer.status !== 'streaming') break;
    }
    expect(answer).toMatchObject({ status: 'error' });
    expect(textOf(answer ?? undefined)).toBe('a');
  });
});

describe('over a real loopback socket (node:http, memory store)', () => {
  let http: LoopbackServer;
  let handlers: HistoryRouteHandlers;
  beforeAll(async () => {
    handlers = historyHandlers(createMemoryConversationStore());
    http = await serveOnLoopback((request) => handlers.handle(request));
  });
  afterAll(() => http.close());

  it('closing the socket at delta k aborts the OpenAI request within 50 ms and stores the k deltas as error', async () => {
    let upstream: Request | undefined;
    mockOpenAI(server, { reply: LONG_REPLY, chunkIntervalMs: 40, onRequest: (request) => (upstream = request) });
    await jsonOf(call(handlers, 'POST', '', { body: { id: 'c1' } }), 201);
    const { port } = http;
    const body = JSON.stringify(userMessage('u1', 'Count'));
    // A raw socket, so nothing between the test and the server buffers or intercepts.
    const socket = connect(port, '127.0.0.1');
    socket.write(
      `POST /api/conversations/c1/messages HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-User: alice\r\nAccept: text/event-stream\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    let received = '';
    await new Promise<void>((resolve) => {
      socket.on('data', (data: Buffer) => {
        received += data.toString('utf8');
        if ((received.match(/"content"/g) ?? []).length >= 3) resolve();
      });
    });
    let closedAt = 0;
    const latency = abortedAfter(upstream!.signal, () => closedAt);
    closedAt = performance.now();
    socket.destroy();
    const ms = await Promise.race([latency, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('upstream never aborted')), 1000))]);
    console.info(`abort propagation over loopback TCP (socket closed → OpenAI request signal): ${ms.toFixed(2)} ms`);
    expect(ms).toBeLessThan(50);
    const seen = [...received.matchAll(/data: (\{"content":.*?\})\n/g)].map((match) => (JSON.parse(match[1]!) as { content: string }).content).join('');
    const [, answer] = await storedWhen(handlers, 'c1', (messages) => messages[1]?.status === 'error');
    expect(answer).toMatchObject({ status: 'error' });
    expect(textOf(answer)).toBe(seen);
    expect(seen).toBe('w0 w1 w2');
  });
});
