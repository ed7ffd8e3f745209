import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSseTransport } from 'colloquy/core';
import { CHAT_URL, controlledStream, DONE_FRAME, frame, setupMswServer, SSE_HEADERS, streamOf, userRequest } from '../helpers/transport-harness.js';

// The transport reads a network chunk at a time and hands its events out one per `next()`; these pin what a caller
// sees of that pacing: the order of overlapping calls, whose time the idle timeout counts, and an early exit.
const server = setupMswServer();

afterEach(() => {
  vi.useRealTimers();
});

describe('createSseTransport: pacing of events', () => {
  it('serves overlapping next() calls in order, as an async generator would', async () => {
    const oneChunk = [frame({ content: 'a' }), frame({ content: 'b' }), frame({ content: 'c' }), DONE_FRAME].join('');
    server.use(http.post(CHAT_URL, () => new HttpResponse(streamOf([oneChunk]), { headers: SSE_HEADERS })));
    const iterator = createSseTransport({ url: CHAT_URL }).send(userRequest(), { signal: new AbortController().signal })[Symbol.asyncIterator]();
    // Not awaited one by one: the second and later calls arrive while the first still waits for the response.
    const results = await Promise.all([iterator.next(), iterator.next(), iterator.next(), iterator.next(), iterator.next()]);
    expect(results).toEqual([
      { done: false, value: { type: 'delta', content: 'a' } },
      { done: false, value: { type: 'delta', content: 'b' } },
      { done: false, value: { type: 'delta', content: 'c' } },
      { done: false, value: { type: 'done' } },
      { done: true, value: undefined },
    ]);
  });

  it('counts only the time spent waiting on the server: a caller that pauses longer than idleTimeoutMs does not time out', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const body = controlledStream();
    server.use(http.post(CHAT_URL, () => new HttpResponse(body.stream, { headers: SSE_HEADERS })));
    const iterator = createSseTransport({ url: CHAT_URL, idleTimeoutMs: 1_000 }).send(userRequest(), { signal: new AbortController().signal })[Symbol.asyncIterator]();
    body.push(frame({ content: 'a' }) + frame({ content: 'b' }));
    const first = iterator.next();
    // MSW resolves the response on a timer of its own.
    await vi.advanceTimersByTimeAsync(1);
    expect(await first).toEqual({ done: false, value: { type: 'delta', content: 'a' } });
    // The caller holds on to the answer for five timeouts' worth: not the server's silence.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await iterator.next()).toEqual({ done: false, value: { type: 'delta', content: 'b' } });
    await vi.advanceTimersByTimeAsync(5_000);
    const third = iterator.next();
    body.push(frame({ content: 'c' }));
    expect(await third).toEqual({ done: false, value: { type: 'delta', content: 'c' } });
    // Now the server is silent while the caller waits: one timeout later, the turn fails.
    const fourth = iterator.next();
    fourth.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(999);
    await vi.advanceTimersByTimeAsync(1);
    await expect(fourth).rejects.toMatchObject({ name: 'ChatError', code: 'timeout' });
  });

  it('releases the connection when the caller leaves in the middle of a chunk', async () => {
    // Through the documented `fetch` option: MSW does not forward the client's cancel to the handler's stream.
    const body = controlledStream();
    const transport = createSseTransport({
      url: CHAT_URL,
      fetch: async () => new Response(body.stream, { headers: SSE_HEADERS }),
    });
    body.push(frame({ content: 'a' }) + frame({ content: 'b' }) + frame({ content: 'c' }));
    const seen: unknown[] = [];
    for await (const event of transport.send(userRequest(), { signal: new AbortController().signal })) {
      seen.push(event);
      break;
    }
    expect(seen).toEqual([{ type: 'delta', content: 'a' }]);
    await body.cancelled;
  });
});
