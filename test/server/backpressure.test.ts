import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createChatHandlers, createMemoryConversationStore, type ChatHandlersOptions, type ChatLogEvent } from 'colloquy/server';
import { call, historyHandlers, storedMessages, textOf, userMessage } from './history-support.js';
import { mockOpenAI, OPENAI_BASE, post, setupOpenAIServer, STREAM_URL, testClient, userTurn } from './support.js';

const server = setupOpenAIServer();

const KiB = 1024;
const MB = 1_000_000;
/** Content characters per upstream chunk (ASCII: one byte each). */
const PIECE = KiB;
/** The queue bound under test: small, so a test moves little data. */
const MAX_BUFFERED = 64 * KiB;
/**
 * What the server may hold beyond its queue: the chunks in flight between the emulated upstream and the queue (the
 * mocked body's one-chunk read-ahead, the SDK's line decoder, the chunk being handled) and the frame that crossed the
 * high-water mark. Eight chunks is generous for that; an unbounded pipeline holds megabytes.
 */
const SLACK = 8 * PIECE;

/** The `i`th content piece: its index then filler, so a stored text can be checked piece by piece. */
function piece(index: number): string {
  return String(index).padStart(8, '0').padEnd(PIECE, '.');
}

/**
 * An emulated OpenAI stream of `totalBytes` of content that is generated only as it is read (a pull source with no
 * read-ahead of its own), so `produced` is exactly what the server pulled from its upstream.
 */
function emulateHugeUpstream(totalBytes: number): { readonly produced: number; readonly request: Request | undefined } {
  const state = { produced: 0, request: undefined as Request | undefined };
  const encoder = new TextEncoder();
  const chunk = (choices: unknown[], usage?: unknown): Uint8Array =>
    encoder.encode(`data: ${JSON.stringify({ id: 'chatcmpl-huge', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices, ...(usage === undefined ? {} : { usage }) })}\n\n`);
  server.use(
    http.post(`${OPENAI_BASE}/chat/completions`, ({ request }) => {
      state.request = request;
      let index = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (state.produced >= totalBytes) {
              controller.enqueue(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
              controller.enqueue(encoder.encode('data: [DONE]\n\n'));
              controller.close();
              return;
            }
            controller.enqueue(chunk([{ index: 0, delta: { content: piece(index) }, finish_reason: null }]));
            index += 1;
            state.produced += PIECE;
          },
        },
        { highWaterMark: 0 },
      );
      return new HttpResponse(body, { headers: { 'Content-Type': 'text/event-stream' } });
    }),
  );
  return state;
}

/**
 * Runs macrotask turns until `value` has not changed for 20 of them (the pipeline is idle: nothing is timed), or has
 * passed `ceiling` (no point waiting for a bound that is already broken).
 */
async function quiescent(value: () => number, ceiling = MAX_BUFFERED + SLACK): Promise<number> {
  let last = value();
  for (let still = 0; still < 20 && last <= ceiling; ) {
    await new Promise((resolve) => setImmediate(resolve));
    const now = value();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}

/** A logger that keeps its events. */
function recordedLog(): { logger: NonNullable<ChatHandlersOptions['logger']>; events: ChatLogEvent[] } {
  const events: ChatLogEvent[] = [];
  const write = (event: ChatLogEvent): void => void events.push(event);
  return { logger: { info: write, warn: write, error: write }, events };
}

/** The content characters of SSE text (the client's side of the count). */
function contentLength(text: string): number {
  let length = 0;
  for (const match of text.matchAll(/^data: (\{"content":.*\})$/gm)) length += (JSON.parse(match[1]!) as { content: string }).content.length;
  return length;
}

describe('backpressure: a client that reads slowly or not at all', () => {
  beforeEach(() => {
    // setImmediate stays real: quiescent() counts macrotask turns, not time.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds at most the queue bound of a 50 MB answer nobody reads, pauses the upstream, and aborts it after 30 s idle', async () => {
    const upstream = emulateHugeUpstream(50 * MB);
    const { logger, events } = recordedLog();
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', maxBufferedBytes: MAX_BUFFERED, logger });
    const response = await stream(post(STREAM_URL, userTurn()));
    expect(response.status).toBe(200);

    // Nothing was read, so everything pulled from the upstream is held by the server.
    const held = await quiescent(() => upstream.produced);
    console.info(`held for a client that reads nothing: ${(held / KiB).toFixed(0)} KiB (queue bound ${MAX_BUFFERED / KiB} KiB)`);
    expect(held).toBeGreaterThanOrEqual(MAX_BUFFERED);
    expect(held).toBeLessThanOrEqual(MAX_BUFFERED + SLACK);
    expect(upstream.request!.signal.aborted).toBe(false);

    // Paused, not aborted, until the client has taken nothing for the write-idle timeout.
    await vi.advanceTimersByTimeAsync(29_999);
    expect(upstream.request!.signal.aborted).toBe(false);
    expect(upstream.produced).toBe(held);
    await vi.advanceTimersByTimeAsync(1);
    expect(upstream.request!.signal.aborted).toBe(true);
    expect(events).toMatchObject([{ route: 'stream', status: 200, code: 'timeout' }]);
    // The queue was dropped with the connection: the client's read fails, the server holds nothing more.
    await expect(response.body!.getReader().read()).rejects.toMatchObject({ code: 'timeout', message: 'The client stopped reading the answer.' });
    expect(await quiescent(() => upstream.produced)).toBe(held);
  });

  it('lets a client reading ~1 KiB/s through, holding at most the queue bound and pulling the upstream only as it reads', async () => {
    const upstream = emulateHugeUpstream(50 * MB);
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', maxBufferedBytes: MAX_BUFFERED });
    const reader = (await stream(post(STREAM_URL, userTurn()))).body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    let mostHeld = 0;
    // 45 s: longer than the write-idle timeout (a slow client is not a stalled one), shorter than timeoutMs.
    for (let second = 0; second < 45; second += 1) {
      const { value } = await reader.read();
      received += decoder.decode(value, { stream: true });
      const produced = await quiescent(() => upstream.produced, contentLength(received) + MAX_BUFFERED + SLACK);
      mostHeld = Math.max(mostHeld, produced - contentLength(received));
      await vi.advanceTimersByTimeAsync(1000);
    }
    console.info(`held for a client reading ~1 KiB/s: at most ${(mostHeld / KiB).toFixed(0)} KiB over 45 s`);
    expect(contentLength(received)).toBeGreaterThanOrEqual(40 * PIECE);
    expect(mostHeld).toBeLessThanOrEqual(MAX_BUFFERED + SLACK);
    expect(upstream.request!.signal.aborted).toBe(false);
    await reader.cancel();
    expect(upstream.request!.signal.aborted).toBe(true);
  });

  it('stores what was forwarded as error when a history client stalls, and frees its slot', async () => {
    const upstream = emulateHugeUpstream(50 * MB);
    const history = historyHandlers(createMemoryConversationStore(), { maxBufferedBytes: MAX_BUFFERED, concurrency: { maxConcurrent: 1 } });
    expect((await call(history, 'POST', '', { body: { id: 'c1' } })).status).toBe(201);
    const response = await call(history, 'POST', '/c1/messages', { body: userMessage('u1', 'Hi'), accept: 'text/event-stream' });
    expect(response.status).toBe(200);
    await quiescent(() => upstream.produced);
    expect((await call(history, 'POST', '/c1/messages', { body: userMessage('u2', 'Again'), accept: 'text/event-stream' })).status).toBe(429);

    await vi.advanceTimersByTimeAsync(30_000);
    expect(upstream.request!.signal.aborted).toBe(true);
    await quiescent(() => upstream.produced);
    const answer = (await storedMessages(history, 'c1')).find((message) => message.role === 'assistant');
    expect(answer).toMatchObject({ status: 'error' });
    const text = textOf(answer);
    expect(text.length).toBeGreaterThanOrEqual(MAX_BUFFERED - 2 * PIECE);
    expect(text).toBe(Array.from({ length: text.length / PIECE }, (_, index) => piece(index)).join(''));
    // The slot came back: the next send is admitted.
    mockOpenAI(server, { reply: 'Small.' });
    expect((await call(history, 'POST', '/c1/messages', { body: userMessage('u3', 'Small') })).status).toBe(200);
  });
});
