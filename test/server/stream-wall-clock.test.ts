import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createChatHandlers, createMemoryConversationStore, type ChatHandlersOptions, type ChatLogEvent } from 'colloquy/server';
import { call, historyHandlers, storedMessages, textOf, userMessage } from './history-support.js';
import { mockOpenAI, parseSse, post, setupOpenAIServer, STREAM_URL, streamedText, testClient, userTurn } from './support.js';

const server = setupOpenAIServer();

/** Sixty words, one every 7 s: 42 of them arrive by 294 s, the 43rd would come at 301 s. */
const WORDS = Array.from({ length: 60 }, (_, index) => `w${index}`);
const SLOW = { reply: WORDS.join(' '), chunkIntervalMs: 7_000 };

function handlers(options: Partial<ChatHandlersOptions> = {}) {
  return createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', ...options });
}

/** A logger that keeps its events. */
function recordedLog(): { logger: NonNullable<ChatHandlersOptions['logger']>; events: ChatLogEvent[] } {
  const events: ChatLogEvent[] = [];
  const write = (event: ChatLogEvent): void => void events.push(event);
  return { logger: { info: write, warn: write, error: write }, events };
}

/** Reads a whole body in the background; `failure` is what the last read rejected with, if it did. */
function readAll(body: ReadableStream<Uint8Array>): Promise<{ text: string; failure?: unknown }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return (async () => {
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
      return { text };
    } catch (failure) {
      return { text, failure };
    }
  })();
}

describe('wall-clock maximum of a stream (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a stream at 5 minutes by default with event: error timeout, keeps its text, aborts the upstream, frees the slot', async () => {
    let upstream: Request | undefined;
    const upstreamLog = mockOpenAI(server, { ...SLOW, onRequest: (request) => (upstream = request) });
    const { logger, events } = recordedLog();
    const { stream } = handlers({ timeoutMs: 600_000, logger, concurrency: { maxConcurrent: 1 } });
    const read = readAll((await stream(post(STREAM_URL, userTurn()))).body!);

    await vi.advanceTimersByTimeAsync(299_999);
    expect(upstream!.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { text, failure } = await read;
    expect(failure).toBeUndefined();
    const items = parseSse(text);
    expect(items.at(-1)).toEqual({ kind: 'event', event: 'error', data: JSON.stringify({ code: 'timeout', message: 'The request took too long.' }) });
    expect(items.some((item) => item.kind === 'event' && item.data === '[DONE]')).toBe(false);
    expect(streamedText(items)).toBe(WORDS.slice(0, 42).join(' '));
    expect(upstream!.signal.aborted).toBe(true);
    expect(events).toMatchObject([{ route: 'stream', status: 200, code: 'timeout' }]);

    // The slot came back with the end of the stream.
    const next = await stream(post(STREAM_URL, userTurn()));
    expect(next.status).toBe(200);
    expect(upstreamLog.count).toBe(2);
    await next.body!.cancel();
  });

  it('takes maxStreamMs below timeoutMs, and a history answer keeps its forwarded text as error', async () => {
    let upstream: Request | undefined;
    mockOpenAI(server, { ...SLOW, onRequest: (request) => (upstream = request) });
    const history = historyHandlers(createMemoryConversationStore(), { maxStreamMs: 20_000 });
    expect((await call(history, 'POST', '', { body: { id: 'c1' } })).status).toBe(201);
    const response = await call(history, 'POST', '/c1/messages', { body: userMessage('u1', 'Hi'), accept: 'text/event-stream' });
    const read = readAll(response.body!);
    await vi.advanceTimersByTimeAsync(20_000);
    const items = parseSse((await read).text);
    expect(items.at(-1)).toMatchObject({ kind: 'event', event: 'error' });
    expect(JSON.parse((items.at(-1) as { data: string }).data)).toMatchObject({ code: 'timeout' });
    expect(upstream!.signal.aborted).toBe(true);
    const answer = (await storedMessages(history, 'c1')).find((message) => message.role === 'assistant');
    expect(answer).toMatchObject({ status: 'error' });
    expect(textOf(answer)).toBe('w0 w1');
  });

  it('disconnects a client still trickling through a finished answer at the wall clock', async () => {
    mockOpenAI(server, { reply: WORDS.join(' ') });
    const { stream } = handlers({ maxStreamMs: 60_000, concurrency: { maxConcurrent: 1 } });
    const reader = (await stream(post(STREAM_URL, userTurn()))).body!.getReader();
    // One frame every 10 s: never idle for the 30 s write-idle timeout, but not done after a minute.
    let frames = 0;
    let failure: unknown;
    for (let second = 0; second < 120 && failure === undefined; second += 10) {
      try {
        if ((await reader.read()).done) break;
        frames += 1;
      } catch (error) {
        failure = error;
      }
      await vi.advanceTimersByTimeAsync(10_000);
    }
    expect(failure).toMatchObject({ code: 'timeout', message: 'The client did not read the answer in time.' });
    expect(frames).toBe(6);
    expect((await stream(post(STREAM_URL, userTurn()))).status).toBe(200);
  });

  it('refuses bounds that are not positive integers at startup', () => {
    expect(() => handlers({ maxStreamMs: 0 })).toThrow(RangeError);
    expect(() => handlers({ writeIdleTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => handlers({ maxBufferedBytes: 1.5 })).toThrow(RangeError);
  });
});
