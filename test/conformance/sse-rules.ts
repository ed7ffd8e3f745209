import type { ChatErrorCode } from 'colloquy/core';

/**
 * One rule of WHATWG event-stream interpretation (or of the protocol's use of it), as a stream and what the
 * transport must make of it.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export interface SseRule {
  name: string;
  /** The body: text (encoded as UTF-8), or bytes when the rule is about bytes that are not valid UTF-8. */
  stream: string | Uint8Array;
  deltas: string[];
  /** The error the turn ends with; without it the turn must end with `done`. */
  error?: ChatErrorCode;
}

const DONE = 'data: [DONE]\n\n';
const LONG = 'lorem ipsum '.repeat(1_400);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((part) => [...part]));

/** The rules, one distinct rule per entry. */
export const SSE_RULES: SseRule[] = [
  // Lines and their endings.
  { name: 'LF line endings', stream: `data: {"content":"Hello"}\n\ndata: {"content":" world"}\n\n${DONE}`, deltas: ['Hello', ' world'] },
  { name: 'CRLF line endings', stream: 'data: {"content":"Hello"}\r\n\r\ndata: {"content":" world"}\r\n\r\ndata: [DONE]\r\n\r\n', deltas: ['Hello', ' world'] },
  { name: 'CR line endings', stream: 'data: {"content":"Hello"}\r\rdata: {"content":" world"}\r\rdata: [DONE]\r\r', deltas: ['Hello', ' world'] },
  {
    name: 'mixed line endings in one stream',
    stream: 'data: {"content":"a"}\r\n\ndata: {"content":"b"}\r\rdata: {"content":"c"}\n\r\ndata: [DONE]\r\n\r\n',
    deltas: ['a', 'b', 'c'],
  },
  {
    // Read as two line endings, CR LF would dispatch `{"content":` alone, which is malformed.
    name: 'CRLF between two data lines of one event is one line ending',
    stream: `data: {"content":\r\ndata: "crlf"}\r\n\r\n${DONE}`,
    deltas: ['crlf'],
  },
  // The byte order mark and decoding.
  { name: 'a leading BOM is stripped', stream: `\uFEFFdata: {"content":"bom"}\n\n${DONE}`, deltas: ['bom'] },
  {
    name: 'only one BOM is stripped (the second makes an unknown field)',
    stream: `\uFEFF\uFEFFdata: {"content":"lost"}\n\ndata: {"content":"kept"}\n\n${DONE}`,
    deltas: ['kept'],
  },
  {
    name: 'a BOM after the start of the stream is text, not stripped',
    stream: `data: {"content":"\uFEFFx"}\n\n\uFEFFdata: {"content":"unknown field"}\n\n${DONE}`,
    deltas: ['\uFEFFx'],
  },
  {
    // U+00EF U+00BB U+00BF is what a BOM looks like when decoded as Latin-1; decoded as UTF-8 it is three letters.
    name: 'the letters "ï»¿" at the start are a field name, not a BOM',
    stream: `\u00EF\u00BB\u00BFdata: {"content":"mojibake"}\n\ndata: {"content":"kept"}\n\n${DONE}`,
    deltas: ['kept'],
  },
  {
    name: 'multi-byte UTF-8 characters (2, 3 and 4 bytes)',
    stream: `: commentaire é 世 😀\ndata: {"content":"café "}\n\ndata: {"content":"世界 "}\n\ndata: {"content":"😀!"}\n\n${DONE}`,
    deltas: ['café ', '世界 ', '😀!'],
  },
  {
    // WHATWG decodes with "UTF-8 decode", which replaces each invalid sequence with U+FFFD rather than failing.
    name: 'invalid UTF-8 becomes U+FFFD',
    stream: concat(utf8('data: {"content":"a'), Uint8Array.of(0xff), utf8('b'), Uint8Array.of(0xe2, 0x82), utf8(`c"}\n\n${DONE}`)),
    deltas: ['a\uFFFDb\uFFFDc'],
  },
  { name: 'JSON escapes of multi-byte characters', stream: `data: {"content":"caf\\u00e9 \\ud83d\\ude00"}\n\n${DONE}`, deltas: ['café 😀'] },
  // Comments.
  {
    name: 'comments are ignored, also between the lines of one event',
    stream: `: hello\n\ndata: {"content":\n: heartbeat\ndata: "x"}\n\n:\n\n${DONE}`,
    deltas: ['x'],
  },
  { name: 'a line starting with a colon is a comment even when it reads like a field', stream: `:data: {"content":"no"}\n\n:event: error\ndata: {"content":"a"}\n\n${DONE}`, deltas: ['a'] },
  // Field names.
  { name: 'unknown fields are ignored, with or without a colon', stream: `foo: bar\ndata: {"content":"a"}\nbaz\n\n${DONE}`, deltas: ['a'] },
  { name: 'field names are case-sensitive', stream: `Data: {"content":"no"}\n\nDATA: {"content":"no"}\n\nEvent: error\ndata: {"content":"a"}\n\n${DONE}`, deltas: ['a'] },
  { name: 'a space before the field name makes another field', stream: ` data: {"content":"no"}\n\ndata: {"content":"a"}\n\n${DONE}`, deltas: ['a'] },
  { name: 'a NUL in a field name makes another field', stream: `data\0: {"content":"no"}\n\nda\0ta: {"content":"no"}\n\ndata: {"content":"a"}\n\n${DONE}`, deltas: ['a'] },
  {
    name: 'a field with no colon has an empty value',
    stream: `data\ndata: {"content":"after an empty line of data"}\n\n${DONE}`,
    deltas: ['after an empty line of data'],
  },
  // Values.
  {
    name: 'one space after the colon is stripped, none needed',
    stream: `data:{"content":"no space"}\n\ndata: {"content":"one space"}\n\ndata:[DONE]\n\n`,
    deltas: ['no space', 'one space'],
  },
  { name: 'only one space is stripped, so `data:  [DONE]` is malformed', stream: `data: {"content":"a"}\n\ndata:  [DONE]\n\n`, deltas: ['a'], error: 'bad_response' },
  { name: 'a tab after the colon is not stripped, so `data:\\t[DONE]` is malformed', stream: `data: {"content":"a"}\n\ndata:\t[DONE]\n\n`, deltas: ['a'], error: 'bad_response' },
  { name: 'a colon inside the value stays', stream: `data: {"content":"a: b"}\n\n${DONE}`, deltas: ['a: b'] },
  { name: 'a line longer than any chunk', stream: `: ${LONG}\ndata: {"content":"${LONG}"}\n\n${DONE}`, deltas: [LONG] },
  // The data field.
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
  // The event field.
  {
    name: 'event field: `message` and an empty name are the default, other names are skipped, the name resets',
    stream: `event: message\ndata: {"content":"a"}\n\nevent: ping\ndata: {"content":"skipped"}\n\nevent\ndata: {"content":"b"}\n\ndata: {"content":"c"}\n\n${DONE}`,
    deltas: ['a', 'b', 'c'],
  },
  {
    name: 'the last event field of an event wins',
    stream: `event: ping\nevent: message\ndata: {"content":"a"}\n\nevent: message\nevent: ping\ndata: {"content":"skipped"}\n\n${DONE}`,
    deltas: ['a'],
  },
  { name: 'an event name is not trimmed', stream: `event: message \ndata: {"content":"skipped"}\n\nevent:message\ndata: {"content":"a"}\n\n${DONE}`, deltas: ['a'] },
  // The id and retry fields.
  { name: 'id fields are ignored, a NUL in one too', stream: `id: 1\ndata: {"content":"a"}\n\nid\ndata: {"content":"b"}\n\nid: x\0y\n\n${DONE}`, deltas: ['a', 'b'] },
  {
    name: 'retry fields, valid or not, are ignored',
    stream: `retry: 3000\ndata: {"content":"a"}\n\nretry: soon\ndata: {"content":"b"}\n\nretry\nretry: -1\n\n${DONE}`,
    deltas: ['a', 'b'],
  },
  // The end of the stream.
  { name: 'an unterminated final event is dropped', stream: 'data: {"content":"a"}\n\ndata: {"content":"b"}\n', deltas: ['a'], error: 'bad_response' },
  {
    name: 'a final CR ends a line but not the event',
    stream: 'data: {"content":"a"}\r\rdata: {"content":"b"}\r',
    deltas: ['a'],
    error: 'bad_response',
  },
  { name: 'an unterminated final [DONE] is dropped', stream: 'data: {"content":"a"}\n\ndata: [DONE]', deltas: ['a'], error: 'bad_response' },
  // The protocol on top of the event stream (docs/protocol.md, "Streaming answer").
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
