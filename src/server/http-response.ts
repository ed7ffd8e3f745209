import type { ChatError, ChatErrorCode } from '../core/index.js';

/**
 * Headers on every response: no MIME sniffing, no referrer leaks, and no embedding of the answer by other sites
 * (`Cross-Origin-Resource-Policy` applies to no-cors loads; CORS fetches are governed by the CORS headers instead).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The headers of a streamed answer. `no-transform` and `X-Accel-Buffering: no` stop proxies (CDNs, nginx) from
 * compressing or buffering it; it is never compressed by the handler either.
 * @see docs/protocol.md, "Streaming answer"
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
};

const STATUS: Record<ChatErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  message_too_long: 413,
  rate_limited: 429,
  server_error: 500,
  upstream_unavailable: 502,
  timeout: 504,
  // Client-side codes, for logs: nginx's "client closed request", and a 502 for an unreadable upstream.
  aborted: 499,
  network: 502,
  bad_response: 502,
};

/** The HTTP status a server answers for `error`: its own `status` when set, else its code's. */
export function statusOf(error: ChatError): number {
  return error.status ?? STATUS[error.code];
}

/** A JSON response with the security headers, `Cache-Control: no-store` and the given extra headers. */
export function jsonResponse(body: unknown, status: number, headers: Headers): Response {
  const all = new Headers(headers);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) all.set(name, value);
  all.set('Content-Type', 'application/json');
  all.set('Cache-Control', 'no-store');
  return new Response(JSON.stringify(body), { status, headers: all });
}

/**
 * The protocol's error answer: the code's status, `{ error: { code, message } }` (the message is always a safe one:
 * never a stack, an upstream message or a key), and `Retry-After` in whole seconds when the error has `retryAfterMs`.
 * @see docs/protocol.md, "Errors"
 */
export function errorResponse(error: ChatError, headers: Headers): Response {
  const all = new Headers(headers);
  if (error.retryAfterMs !== undefined) all.set('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
  return jsonResponse({ error: { code: error.code, message: error.message } }, statusOf(error), all);
}
