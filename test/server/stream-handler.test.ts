import { describe, expect, it } from 'vitest';
import { createSseTransport, isChatError, type ChatEvent, type ChatMessage } from 'colloquy/core';
import { replyFor, tokenize } from 'colloquy/mocks';
import { createChatHandlers } from 'colloquy/server';
import {
  fetchFrom,
  mockOpenAI,
  post,
  readSse,
  setupOpenAIServer,
  STREAM_URL,
  streamedText,
  testClient,
  userTurn,
} from './support.js';

const server = setupOpenAIServer();

const userMessage = (text: string): ChatMessage => ({
  id: 'u1',
  parentId: null,
  role: 'user',
  parts: [{ type: 'text', text, state: 'done' }],
  createdAt: '2025-01-01T00:00:00Z',
  status: 'pending',
});

async function collect(events: AsyncIterable<ChatEvent>): Promise<{ events: ChatEvent[]; error: unknown }> {
  const seen: ChatEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen, error: undefined };
  } catch (error) {
    return { events: seen, error };
  }
}

const deltas = (events: ChatEvent[]): string => events.map((event) => (event.type === 'delta' ? event.content : '')).join('');

describe('stream handler (POST /api/chat/stream, SSE)', () => {
  it('answers 200 text/event-stream with unbuffered, uncompressed headers', async () => {
    mockOpenAI(server);
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini' });
    const response = await stream(post(STREAM_URL, userTurn(), { headers: { 'Accept-Encoding': 'gzip, br' } }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('content-encoding')).toBeNull();
    await response.body?.cancel();
  });

  it('writes one content frame per delta, then usage with the finish reason, then [DONE]', async () => {
    mockOpenAI(server, { reply: 'Server-sent events are simple.' });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini' });
    const items = await readSse(await stream(post(STREAM_URL, userTurn('What is SSE?'))));
    const data = items.filter((item) => item.kind === 'event').map((item) => item.data);
    expect(data.slice(0, -2).map((payload) => JSON.parse(payload) as unknown)).toEqual(
      tokenize('Server-sent events are simple.').map((content) => ({ content })),
    );
    expect(JSON.parse(data.at(-2)!)).toEqual({ usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 }, finishReason: 'stop' });
    expect(data.at(-1)).toBe('[DONE]');
    expect(items.every((item) => item.kind === 'comment' || item.event === undefined)).toBe(true);
  });

  it('speaks the protocol the kit client reads (createSseTransport through the handler)', async () => {
    mockOpenAI(server, { finishReason: 'length' });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini' });
    const transport = createSseTransport({ url: STREAM_URL, fetch: fetchFrom(stream) });
    const { events, error } = await collect(transport.send({ messages: [userMessage('Tell me about café ☕ and 👩‍💻')] }, { signal: new AbortController().signal }));
    expect(error).toBeUndefined();
    expect(deltas(events)).toBe(replyFor('Tell me about café ☕ and 👩‍💻'));
    expect(events.filter((event) => event.type === 'usage')).toHaveLength(1);
    expect(events.at(-1)).toEqual({ type: 'done', finishReason: 'length' });
  });

  it('asks OpenAI to stream with include_usage and the max_completion_tokens cap', async () => {
    const upstream = mockOpenAI(server);
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', maxCompletionTokens: 256 });
    await (await stream(post(STREAM_URL, userTurn()))).text();
    expect(upstream.lastBody()).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 256,
    });
  });
});

describe('stream handler: failures before and after the 200', () => {
  it('an upstream failure before the first byte is a normal HTTP error (429 + Retry-After)', async () => {
    mockOpenAI(server, { status: 429, headers: { 'retry-after': '4' } });
    const { stream } = createChatHandlers({ openai: testClient(0), model: 'gpt-4o-mini' });
    const response = await stream(post(STREAM_URL, userTurn()));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('4');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });

    const transport = createSseTransport({ url: STREAM_URL, fetch: fetchFrom(stream) });
    const { error } = await collect(transport.send({ messages: [userMessage('Hi')] }, { signal: new AbortController().signal }));
    expect(isChatError(error) && [error.code, error.retryAfterMs]).toEqual(['rate_limited', 4000]);
  });

  it('a 500 before the headers is retried by the SDK: the client sees one clean stream', async () => {
    const upstream = mockOpenAI(server, { status: 500, failTimes: 1, headers: { 'retry-after-ms': '0' }, reply: 'Only once.' });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', maxRetries: 2 });
    const items = await readSse(await stream(post(STREAM_URL, userTurn())));
    expect(streamedText(items)).toBe('Only once.');
    expect(items.at(-1)).toEqual({ kind: 'event', data: '[DONE]' });
    expect(upstream.count).toBe(2);
  });

  it('a failure after the first delta is event: error, without [DONE] and without a retry', async () => {
    const upstream = mockOpenAI(server, { reply: 'one two three four', cutAfterChunks: 2 });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', maxRetries: 2 });
    const items = await readSse(await stream(post(STREAM_URL, userTurn())));
    expect(streamedText(items)).toBe('one two');
    const last = items.at(-1);
    expect(last).toMatchObject({ kind: 'event', event: 'error' });
    expect(JSON.parse(last!.kind === 'event' ? last!.data : '')).toEqual({ code: 'upstream_unavailable', message: expect.any(String) });
    expect(items.some((item) => item.kind === 'event' && item.data === '[DONE]')).toBe(false);
    expect(upstream.count).toBe(1);
  });

  it('the kit client keeps the text before the failure and reports the mapped code', async () => {
    mockOpenAI(server, { reply: 'one two three four', cutAfterChunks: 3 });
    const { stream } = createChatHandlers({ openai: testClient(2), model: 'gpt-4o-mini' });
    const transport = createSseTransport({ url: STREAM_URL, fetch: fetchFrom(stream) });
    const { events, error } = await collect(transport.send({ messages: [userMessage('Hi')] }, { signal: new AbortController().signal }));
    expect(deltas(events)).toBe('one two three');
    expect(isChatError(error) && error.code).toBe('upstream_unavailable');
  });

  it('an upstream stream that ends without a finish reason is event: error bad_response (truncated)', async () => {
    mockOpenAI(server, { reply: 'cut short here', endWithoutFinishReason: true });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini' });
    const items = await readSse(await stream(post(STREAM_URL, userTurn())));
    expect(streamedText(items)).toBe('cut short here');
    const last = items.at(-1);
    expect(last).toMatchObject({ kind: 'event', event: 'error' });
    expect(JSON.parse(last!.kind === 'event' ? last!.data : '')).toMatchObject({ code: 'bad_response' });
  });

  it('timeoutMs bounds the whole stream: a slow answer ends with event: error timeout', async () => {
    mockOpenAI(server, { reply: 'slow words arrive here', chunkIntervalMs: 100 });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', timeoutMs: 250 });
    const started = performance.now();
    const items = await readSse(await stream(post(STREAM_URL, userTurn())));
    expect(performance.now() - started).toBeLessThan(1500);
    const last = items.at(-1);
    expect(last).toMatchObject({ kind: 'event', event: 'error' });
    expect(JSON.parse(last!.kind === 'event' ? last!.data : '')).toMatchObject({ code: 'timeout' });
    expect(streamedText(items).length).toBeGreaterThan(0);
  });

  it('timeoutMs before the first byte is a 504', async () => {
    mockOpenAI(server, { firstByteDelayMs: 5_000 });
    const { stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', timeoutMs: 200 });
    const response = await stream(post(STREAM_URL, userTurn()));
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ error: { code: 'timeout', message: expect.any(String) } });
  });
});
