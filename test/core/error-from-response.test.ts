import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  CHAT_ERROR_CODES,
  ChatError,
  chatErrorFromResponse,
  codeForStatus,
  createJsonTransport,
  createSseTransport,
  defaultErrorMessage,
  isChatError,
  isChatErrorCode,
  type ChatErrorCode,
} from 'colloquy/core';
import { CHAT_URL, collect, setupMswServer } from '../helpers/transport-harness.js';

const server = setupMswServer();

const transports = [
  ['createSseTransport', createSseTransport({ url: CHAT_URL })],
  ['createJsonTransport', createJsonTransport({ url: CHAT_URL })],
] as const;

async function failWith(transportIndex: number, respond: () => Response): Promise<ChatError> {
  server.use(http.post(CHAT_URL, respond));
  const { events, error } = await collect(transports[transportIndex]![1]);
  expect(events).toEqual([]);
  expect(isChatError(error)).toBe(true);
  return error as ChatError;
}

const STATUS_CODES: Array<[number, ChatErrorCode]> = [
  [400, 'invalid_input'],
  [401, 'unauthorized'],
  [403, 'forbidden'],
  [404, 'not_found'],
  [408, 'timeout'],
  [409, 'conflict'],
  [413, 'message_too_long'],
  [418, 'invalid_input'],
  [422, 'invalid_input'],
  [429, 'rate_limited'],
  [500, 'server_error'],
  [501, 'server_error'],
  [502, 'upstream_unavailable'],
  [503, 'upstream_unavailable'],
  [504, 'timeout'],
  [599, 'server_error'],
];

describe.each(transports.map(([name], index) => [name, index] as const))('%s: error responses', (_name, index) => {
  it.each(STATUS_CODES)('maps status %i with no body to %s and its default message', async (status, code) => {
    const error = await failWith(index, () => new HttpResponse(null, { status }));
    expect(error).toMatchObject({ code, status, message: defaultErrorMessage(code) });
    expect(codeForStatus(status)).toBe(code);
  });

  it('uses the code and message of { error: { code, message } }', async () => {
    const error = await failWith(index, () => HttpResponse.json({ error: { code: 'message_too_long', message: 'Keep it under 4,000 characters.' } }, { status: 400 }));
    expect(error).toMatchObject({ code: 'message_too_long', message: 'Keep it under 4,000 characters.', status: 400, retryable: false });
  });

  it('uses the message of { error: "text" } with the status code', async () => {
    const error = await failWith(index, () => HttpResponse.json({ error: 'Model is overloaded.' }, { status: 503 }));
    expect(error).toMatchObject({ code: 'upstream_unavailable', message: 'Model is overloaded.', retryable: true });
  });

  it('falls back to the status for an unknown code, keeping the message', async () => {
    const error = await failWith(index, () => HttpResponse.json({ error: { code: 'insufficient_quota', message: 'Quota exceeded.' } }, { status: 429 }));
    expect(error).toMatchObject({ code: 'rate_limited', message: 'Quota exceeded.' });
  });

  it('ignores a non-JSON body (an HTML error page from a proxy)', async () => {
    const error = await failWith(index, () => new HttpResponse('<html><body>502 Bad Gateway</body></html>', { status: 502, headers: { 'Content-Type': 'text/html' } }));
    expect(error).toMatchObject({ code: 'upstream_unavailable', message: defaultErrorMessage('upstream_unavailable') });
  });

  it('uses the default message when the body message is empty or not a string', async () => {
    expect((await failWith(index, () => HttpResponse.json({ error: { code: 'conflict', message: '' } }, { status: 409 }))).message).toBe(defaultErrorMessage('conflict'));
    expect((await failWith(index, () => HttpResponse.json({ error: { message: 42 } }, { status: 500 }))).message).toBe(defaultErrorMessage('server_error'));
    // The plain shape too: an empty `{ error: "" }` says nothing, as an empty `message` does.
    expect((await failWith(index, () => HttpResponse.json({ error: '' }, { status: 403 }))).message).toBe(defaultErrorMessage('forbidden'));
  });

  it('reads retry-after-ms and Retry-After into retryAfterMs', async () => {
    const both = await failWith(index, () => HttpResponse.json({}, { status: 429, headers: { 'retry-after-ms': '750', 'Retry-After': '9' } }));
    expect(both.retryAfterMs).toBe(750);
    const seconds = await failWith(index, () => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '2' } }));
    expect(seconds.retryAfterMs).toBe(2000);
  });
});

describe('chatErrorFromResponse', () => {
  it('reads an HTTP-date Retry-After against the injected now', async () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    const response = new Response(null, { status: 429, headers: { 'Retry-After': 'Sat, 01 Mar 2025 12:00:30 GMT' } });
    expect((await chatErrorFromResponse(response, now)).retryAfterMs).toBe(30_000);
  });

  it('ignores an oversized body rather than parsing it', async () => {
    const huge = JSON.stringify({ error: { code: 'forbidden', message: 'x'.repeat(70_000) } });
    const error = await chatErrorFromResponse(new Response(huge, { status: 500 }));
    expect(error).toMatchObject({ code: 'server_error', message: defaultErrorMessage('server_error') });
  });

  it('serializes without the stack or the cause', async () => {
    const error = await chatErrorFromResponse(new Response('{"error":{"code":"rate_limited"}}', { status: 429, headers: { 'retry-after-ms': '10' } }));
    expect(error.toJSON()).toEqual({ code: 'rate_limited', message: defaultErrorMessage('rate_limited'), status: 429, retryAfterMs: 10 });
  });
});

describe('the error codes', () => {
  const RETRYABLE: ChatErrorCode[] = ['rate_limited', 'server_error', 'upstream_unavailable', 'timeout', 'network', 'aborted', 'bad_response'];

  it('lists every code once, in the documented order, each with a default message', () => {
    expect(CHAT_ERROR_CODES).toEqual([
      'invalid_input',
      'message_too_long',
      'unauthorized',
      'forbidden',
      'not_found',
      'conflict',
      'rate_limited',
      'server_error',
      'upstream_unavailable',
      'timeout',
      'network',
      'aborted',
      'bad_response',
    ]);
    for (const code of CHAT_ERROR_CODES) expect(defaultErrorMessage(code)).toMatch(/^[A-Z].+\.$/);
  });

  it('derives retryable from the code unless the caller says otherwise', () => {
    for (const code of CHAT_ERROR_CODES) expect([code, new ChatError(code, 'x').retryable]).toEqual([code, RETRYABLE.includes(code)]);
    expect(new ChatError('forbidden', 'x', { retryable: true }).retryable).toBe(true);
    // A plain-JavaScript caller may pass anything: an unknown code is not retryable, and does not throw.
    expect(new ChatError('nope' as ChatErrorCode, 'x').retryable).toBe(false);
  });

  it('knows only its own codes, not the names every object inherits', () => {
    for (const code of CHAT_ERROR_CODES) expect(isChatErrorCode(code)).toBe(true);
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', '', 'Timeout']) expect(isChatErrorCode(name)).toBe(false);
    expect(isChatErrorCode(7)).toBe(false);
  });
});
