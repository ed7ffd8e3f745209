import { http, HttpResponse } from 'msw';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createChatHandlers, streamCompletion, type ChatLogEvent } from 'colloquy/server';
import { createConnectionTracker } from '../helpers/connection-tracker.js';
import { OPENAI_BASE, parseSse, post, readSse, setupOpenAIServer, STREAM_URL, streamedText, userTurn, type SseItem } from './support.js';

// How the stream handler reads OpenAI's SSE body itself: network reads (one MSW body chunk each) in, frames out.
const server = setupOpenAIServer();
const encoder = new TextEncoder();
const API_KEY = 'sk-test-upstream-body-0123456789';

const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const content = (text: string): string => chunk({ content: text });
const END = `${chunk({}, 'stop')}data: [DONE]\n\n`;

/** Answers OpenAI's endpoint with a body that hands out exactly these network reads, in order. */
function upstreamReads(reads: ReadonlyArray<string | Uint8Array>, headers: Record<string, string> = {}): void {
  server.use(
    http.post(`${OPENAI_BASE}/chat/completions`, () => {
      const queue = reads.map((read) => (typeof read === 'string' ? encoder.encode(read) : read));
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = queue.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(next);
        },
      });
      return new HttpResponse(body, { headers: { 'Content-Type': 'text/event-stream', 'x-request-id': 'req_upstream_1', ...headers } });
    }),
  );
}

function handlers(logged: ChatLogEvent[] = []) {
  const log = (event: ChatLogEvent): void => void logged.push(event);
  const openai = new OpenAI({ apiKey: API_KEY, baseURL: OPENAI_BASE, maxRetries: 0 });
  return createChatHandlers({ openai, model: 'gpt-4o-mini', logger: { info: log, warn: log, error: log } });
}

const lastEvent = (items: SseItem[]): SseItem | undefined => items.at(-1);
const payloadOf = (item: SseItem | undefined): unknown => (item?.kind === 'event' ? JSON.parse(item.data) : undefined);
const sawDone = (items: SseItem[]): boolean => items.some((item) => item.kind === 'event' && item.data === '[DONE]');

describe('stream handler: reading the upstream body', () => {
  it('writes the deltas of one network read as one chunk of the response body', async () => {
    upstreamReads([content('') + content('one') + content(' two') + content(' three'), END]);
    const response = await handlers().stream(post(STREAM_URL, userTurn()));
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: {"content":"one"}\n\ndata: {"content":" two"}\n\ndata: {"content":" three"}\n\n');
    let rest = '';
    for (let step = await reader.read(); !step.done; step = await reader.read()) rest += new TextDecoder().decode(step.value);
    expect(parseSse(rest).map((item) => (item.kind === 'event' ? item.data : item.text))).toEqual([JSON.stringify({ finishReason: 'stop' }), '[DONE]']);
  });

  it('keeps a character split across network reads whole (2-, 3- and 4-byte characters)', async () => {
    const text = 'café 日本 👩‍💻 fin';
    const bytes = encoder.encode(content('café') + content(' 日本') + content(' 👩‍💻') + content(' fin') + END);
    // Cut inside é (2 bytes), 日 (3 bytes) and 👩 (4 bytes): each cut falls after the first byte of the character.
    const cuts = ['é', '日', '👩'].map((character) => indexOfBytes(bytes, encoder.encode(character)) + 1);
    const reads = [0, ...cuts].map((start, i) => bytes.subarray(start, cuts[i] ?? bytes.byteLength));
    upstreamReads(reads);
    const items = await readSse(await handlers().stream(post(STREAM_URL, userTurn())));
    expect(streamedText(items)).toBe(text);
    expect(sawDone(items)).toBe(true);
  });

  it('turns an in-stream {"error"} payload into event: error upstream_unavailable, logged with the redacted details', async () => {
    const error = { message: `Overloaded, key ${API_KEY} throttled.`, type: 'server_error', code: 'overloaded', param: null };
    upstreamReads([content('Hello'), `data: ${JSON.stringify({ error })}\n\n`, END]);
    const logged: ChatLogEvent[] = [];
    const items = await readSse(await handlers(logged).stream(post(STREAM_URL, userTurn())));
    expect(streamedText(items)).toBe('Hello');
    expect(lastEvent(items)).toMatchObject({ kind: 'event', event: 'error' });
    expect(payloadOf(lastEvent(items))).toEqual({ code: 'upstream_unavailable', message: expect.any(String) });
    expect(JSON.stringify(payloadOf(lastEvent(items)))).not.toMatch(/overloaded|sk-/i);
    expect(sawDone(items)).toBe(false);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      status: 200,
      code: 'upstream_unavailable',
      upstream: { name: 'APIError', type: 'server_error', code: 'overloaded', requestId: 'req_upstream_1' },
    });
    expect(logged[0]!.upstream?.message).not.toContain(API_KEY);
  });

  it('turns an event: error frame into the same typed error, even without an error member', async () => {
    upstreamReads([content('Hello'), 'event: error\ndata: {"message":"Upstream broke.","type":"server_error"}\n\n', END]);
    const logged: ChatLogEvent[] = [];
    const items = await readSse(await handlers(logged).stream(post(STREAM_URL, userTurn())));
    expect(streamedText(items)).toBe('Hello');
    expect(payloadOf(lastEvent(items))).toMatchObject({ code: 'upstream_unavailable' });
    expect(sawDone(items)).toBe(false);
    expect(logged[0]).toMatchObject({ status: 200, code: 'upstream_unavailable', upstream: { name: 'APIError', type: 'server_error' } });
  });

  it('forwards the deltas before a malformed event of the same read, then ends with bad_response', async () => {
    upstreamReads([content('Hello') + content(' world') + 'data: {"choices": [unterminated\n\n' + content(' lost'), END]);
    const items = await readSse(await handlers().stream(post(STREAM_URL, userTurn())));
    expect(streamedText(items)).toBe('Hello world');
    expect(payloadOf(lastEvent(items))).toMatchObject({ code: 'bad_response' });
    expect(sawDone(items)).toBe(false);
  });

  it('ignores whatever follows data: [DONE] in the body', async () => {
    upstreamReads([content('All') + END + content(' after the end'), content(' and later')]);
    const items = await readSse(await handlers().stream(post(STREAM_URL, userTurn())));
    expect(streamedText(items)).toBe('All');
    expect(sawDone(items)).toBe(true);
  });

  it('releases the upstream connection when a hook ends the stream early', async () => {
    upstreamReads([content('one'), content(' two'), content(' three'), END]);
    const upstream = createConnectionTracker();
    const client = new OpenAI({ apiKey: API_KEY, baseURL: OPENAI_BASE, maxRetries: 0, fetch: upstream.fetch });
    const errors: string[] = [];
    const response = await streamCompletion({
      client,
      params: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
      timeoutMs: 10_000,
      heartbeatMs: 10_000,
      secrets: [API_KEY],
      request: { signal: new AbortController().signal },
      onDelta() {
        throw new Error('The store is down.');
      },
      onError: (error) => void errors.push(error.code),
    });
    const items = await readSse(response);
    expect(streamedText(items)).toBe('one');
    expect(payloadOf(lastEvent(items))).toMatchObject({ code: 'server_error' });
    expect(errors).toEqual(['server_error']);
    expect(upstream.connections.map((connection) => connection.end)).toEqual(['cancelled']);
  });
});

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.byteLength <= haystack.byteLength; i++) {
    for (let j = 0; j < needle.byteLength; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('Not found.');
}
