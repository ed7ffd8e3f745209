import { HttpResponse } from 'msw';
import { defaultErrorMessage, type ChatErrorCode } from '../src/core/index.js';

/**
 * The error codes a server answers with an HTTP status. The rest are client-only: `network` (no response),
 * `aborted` (the user stopped) and `bad_response` (an answer the client cannot read).
 * @see docs/protocol.md, "Errors"
 */
export type ServerErrorCode = Exclude<ChatErrorCode, 'network' | 'aborted' | 'bad_response'>;

const STATUS: Record<ServerErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  message_too_long: 413,
  rate_limited: 429,
  server_error: 500,
  // 503 rather than 502: "try again later" is what the client should take from it; both map back to this code.
  upstream_unavailable: 503,
  timeout: 504,
};

/** Every {@link ServerErrorCode}, in the order of their statuses. */
export const SERVER_ERROR_CODES = Object.keys(STATUS) as readonly ServerErrorCode[];

/** True when `value` is a code a server answers with a status (see {@link ServerErrorCode}). */
export function isServerErrorCode(value: unknown): value is ServerErrorCode {
  return typeof value === 'string' && Object.hasOwn(STATUS, value);
}

/** The HTTP status a server answers for `code`; `codeForStatus` in core maps it back. */
export function statusForCode(code: ServerErrorCode): number {
  return STATUS[code];
}

/** Options of {@link errorResponse}. */
export interface ErrorResponseOptions {
  /** Human-readable text for the body. @defaultValue `defaultErrorMessage(code)` */
  message?: string;
  /** For `rate_limited`: the `Retry-After` value, in whole seconds. @defaultValue 30 */
  retryAfterSeconds?: number;
}

/**
 * A protocol error response: the code's status, a `{ error: { code, message } }` body, and for `rate_limited`
 * the `Retry-After` and `RateLimit-*` headers a real server sends.
 *
 * @example
 * http.post('http://localhost/api/chat', () => errorResponse('unauthorized'));
 */
export function errorResponse(code: ServerErrorCode, options: ErrorResponseOptions = {}): Response {
  const headers = new Headers();
  if (code === 'rate_limited') {
    const seconds = Math.max(0, Math.ceil(options.retryAfterSeconds ?? 30));
    headers.set('Retry-After', String(seconds));
    // Informational (draft-ietf-httpapi-ratelimit-headers); clients time their retry from Retry-After only.
    headers.set('RateLimit-Limit', '20');
    headers.set('RateLimit-Remaining', '0');
    headers.set('RateLimit-Reset', String(seconds));
  }
  return HttpResponse.json(
    { error: { code, message: options.message ?? defaultErrorMessage(code) } },
    { status: STATUS[code], headers },
  );
}

/** A failure a mock endpoint plays instead of answering: a {@link ServerErrorCode}, no response, or a login page. */
export type ResponseFault = ServerErrorCode | 'network' | 'bad_response';

const PROXY_PAGE = '<!doctype html><html><head><title>Sign in</title></head><body><h1>Please sign in</h1></body></html>';

/**
 * The response a {@link ResponseFault} plays: `'network'` is no response at all (`fetch` rejects with a `TypeError`),
 * `'bad_response'` a `200` HTML page as a login proxy or captive portal sends, a server code its {@link errorResponse}.
 *
 * @example
 * http.get('http://localhost/api/conversations', () => faultResponse('upstream_unavailable'));
 */
export function faultResponse(fault: ResponseFault, options: ErrorResponseOptions = {}): Response {
  if (fault === 'network') return HttpResponse.error();
  if (fault === 'bad_response') return new HttpResponse(PROXY_PAGE, { headers: { 'Content-Type': 'text/html' } });
  return errorResponse(fault, options);
}
