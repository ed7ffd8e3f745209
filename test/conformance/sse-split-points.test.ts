import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createSseTransport, isChatError, type ChatErrorCode } from 'colloquy/core';
import { CHAT_URL, collect, SSE_HEADERS, streamOf, setupMswServer } from '../helpers/transport-harness.js';

/**
 * WHATWG event-stream interpretation, checked end to end through `createSseTransport`: each stream is encoded to
 * UTF-8 and delivered in two chunks split at every byte position, so every rule must hold wherever a chunk ends
 * (inside a CRLF, a field name, a multi-byte character, the BOM).
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
interface Case {
  name: string;
  stream: string;
  deltas: string[];
  /** The error the turn ends with; without it the turn must end with `done`. */
  error?: ChatErrorCode;
}

const DONE = 'data: [DONE]\n\n';

const CASES: Case[] = [
  { name: 'LF line endings', stream: `data: {"content":"Hello"}\n\ndata: {"content":" world"}\n\n${DONE}`, deltas: ['Hello', ' world'] },
  { name: 'CRLF line endings', stream: 'data: {"content":"Hello"}\r\n\r\ndata: {"content":" world"}\r\n\r\ndata: [DONE]\r\n\r\n', deltas: ['Hello', ' world'] },
  { name: 'CR line endings', stream: 'data: {"content":"Hello"}\r\rdata: {"content":" world"}\r\rdata: [DONE]\r\r', deltas: ['Hello', ' world'] },
  {
    name: 'mixed line endings in one stream',
    stream: 'data: {"content":"a"}\r\n\ndata: {"content":"b"}\r\rdata: {"content":"c"}\n\r\ndata: [DONE]\r\n\r\n',
    deltas: ['a', 'b', 'c'],
  },
  { name: 'a leading BOM is stripped', stream: `\uFEFFdata: {"content":"bom"}\n\n${DONE}`, deltas: ['bom'] },
  {
    name: 'only one BOM is stripped (the second makes an unknown field)',
    stream: `\uFEFF\uFEFFdata: {"content":"lost"}\n\ndata: {"content":"kept"}\n\n${DONE}`,
    deltas: ['kept'],
  },
  {
    name: 'comments are ignored, also between the lines of one event',
    stream: `: hello\n\ndata: {"content":\n: heartbeat\ndata: "x"}\n\n:\n\n${DONE}`,
    deltas: ['x'],
  },
  {
    name: 'event field: `message` and an empty name are the default, other names are skipped, the name resets',
    stream: `event: message\ndata: {"content":"a"}\n\nevent: ping\ndata: {"content":"skipped"}\n\nevent\ndata: {"content":"b"}\n\ndata: {"content":"c"}\n\n${DONE}`,
    deltas: ['a', 'b', 'c'],
  },
  { name: 'id fields are ignored', stream: `id: 1\ndata: {"content":"a"}\n\nid\ndata: {"content":"b"}\n\nid: x\0y\n\n${DONE}`, deltas: ['a', 'b'] },
  {
    name: 'retry fields, valid or not, are ignored',
    stream: `retry: 3000\ndata: {"content":"a"}\n\nretry: soon\ndata: {"content":"b"}\n\n${DONE}`,
    deltas: ['a', 'b'],
  },
  { name: 'unknown fields are ignored, with or without a colon', stream: `foo: bar\ndata: {"content":"a"}\nbaz\n\n${DONE}`, deltas: ['a'] },
  {
    name: 'a field with no colon has an empty value',
    stream: `data\ndata: {"content":"after an empty line of data"}\n\n${DONE}`,
    deltas: ['after an empty line of data'],
  },
  {
    name: 'one space after the colon is stripped, none needed',
    stream: `data:{"content":"no space"}\n\ndata: {"content":"one space"}\n\ndata:[DONE]\n\n`,
    deltas: ['no space', 'one space'],
  },
  { name: 'only one space is stripped, so `data:  [DONE]` is malformed', stream: `data: {"content":"a"}\n\ndata:  [DONE]\n\n`, deltas: ['a'], error: 'bad_response' },
  { name: 'a colon inside the value stays', stream: `data: {"content":"a: b"}\n\n${DONE}`, deltas: ['a: b'] },
  { name: 'multi-line data is joined', stream: `data: {"content":\ndata: "joined"}\n\n${DONE}`, deltas: ['joined'] },
  {
    // Joined with nothing this would read `"n":12`, valid JSON; joined with LF it is `1\n2`, which is not.
    name: 'multi-line data is joined with LF',
    stream: `data: {"content":"a","n":1\ndata: 2}\n\n${DONE}`,
    deltas: [],
    error: 'bad_response',
  },
  // The protocol's data is always one JSON object; an empty one is malformed, not a keep-alive.
  { name: 'empty data is dispatched (and malformed)', stream: `data: {"content":"a"}\n\ndata:\n\n${DONE}`, deltas: ['a'], error: 'bad_response' },
  { name: 'an event without data is not dispatched', stream: `event: message\nid: 3\n\n\n\n\ndata: {"content":"a"}\n\n${DONE}`, deltas: ['a'] },
  { name: 'an unterminated final event is dropped', stream: 'data: {"content":"a"}\n\ndata: {"content":"b"}\n', deltas: ['a'], error: 'bad_response' },
  {
    name: 'a final CR ends a line but not the event',
    stream: 'data: {"content":"a"}\r\rdata: {"content":"b"}\r',
    deltas: ['a'],
    error: 'bad_response',
  },
  { name: 'an unterminated final [DONE] is dropped', stream: 'data: {"content":"a"}\n\ndata: [DONE]', deltas: ['a'], error: 'bad_response' },
  {
    name: 'multi-byte UTF-8 characters (2, 3 and 4 bytes)',
    stream: `: commentaire é 世 😀\ndata: {"content":"café "}\n\ndata: {"content":"世界 "}\n\ndata: {"content":"😀!"}\n\n${DONE}`,
    deltas: ['café ', '世界 ', '😀!'],
  },
  { name: 'JSON escapes of multi-byte characters', stream: `data: {"content":"caf\\u00e9 \\ud83d\\ude00"}\n\n${DONE}`, deltas: ['café 😀'] },
  {
    name: 'frames after [DONE] are ignored',
    stream: `data: {"content":"a"}\n\n${DONE}data: {"content":"late"}\n\nevent: error\ndata: {}\n\ndata: not json\n\n`,
    deltas: ['a'],
  },
  {
    name: 'an error event with CRLF endings',
    stream: 'data: {"content":"a"}\r\n\r\nevent: error\r\ndata: {"code":"rate_limited","message":"Slow down."}\r\n\r\n',
    deltas: ['a'],
    error: 'rate_limited',
  },
  {
    name: 'an OpenAI chunk stream',
    stream:
      'data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Sa"},"finish_reason":null}]}\n\n' +
      'data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"lut"},"finish_reason":"stop"}]}\n\n' +
      DONE,
    deltas: ['Sa', 'lut'],
  },
];

const server = setupMswServer();
const transport = createSseTransport({ url: CHAT_URL });
const encoder = new TextEncoder();

/** Runs one turn on a body delivered as exactly these chunks, and summarizes what the transport produced. */
async function run(chunks: Uint8Array[]): Promise<{ deltas: string[]; end: string }> {
  server.use(http.post(CHAT_URL, () => new HttpResponse(streamOf(chunks), { headers: SSE_HEADERS })));
  const { events, error } = await collect(transport);
  const deltas = events.flatMap((event) => (event.type === 'delta' ? [event.content] : []));
  const last = events.at(-1);
  const end = error === undefined ? (last?.type ?? 'nothing') : isChatError(error) ? `error:${error.code}` : `raw:${String(error)}`;
  return { deltas, end };
}

describe('SSE conformance at every split point', () => {
  it('has a table of at least 15 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  it('delivers chunks through MSW exactly as the test cuts them', async () => {
    const chunks = [encoder.encode('a'), encoder.encode('bc'), encoder.encode('def')];
    server.use(http.post(CHAT_URL, () => new HttpResponse(streamOf(chunks), { headers: SSE_HEADERS })));
    const response = await fetch(CHAT_URL, { method: 'POST' });
    const reader = response.body!.getReader();
    const sizes: number[] = [];
    for (let result = await reader.read(); !result.done; result = await reader.read()) sizes.push(result.value.byteLength);
    expect(sizes).toEqual([1, 2, 3]);
  });

  it.each(CASES)('$name', async ({ stream, deltas, error }) => {
    const bytes = encoder.encode(stream);
    const expected = { deltas, end: error === undefined ? 'done' : `error:${error}` };
    expect(await run([bytes]), 'in one chunk').toEqual(expected);
    for (let split = 1; split < bytes.length; split++) {
      expect(await run([bytes.slice(0, split), bytes.slice(split)]), `split at byte ${split} of ${bytes.length}`).toEqual(expected);
    }
  });
});
