import { ChatError, defaultErrorMessage, type ChatErrorCode } from './chat-error.js';
import { readErrorFields } from './error-from-payload.js';
import { isRecord } from './is-record.js';
import { parseRetryAfter } from './retry-after.js';

/** The code each HTTP status means when the body names none; other statuses fall back by class (5xx, else 4xx). */
const STATUS_CODES: Readonly<Record<number, ChatErrorCode>> = {
  400: 'invalid_input',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  408: 'timeout',
  409: 'conflict',
  413: 'message_too_long',
  422: 'invalid_input',
  429: 'rate_limited',
  502: 'upstream_unavailable',
  503: 'upstream_unavailable',
  504: 'timeout',
};

/** The error code an HTTP status means when the body does not name one. */
export function codeForStatus(status: number): ChatErrorCode {
  return STATUS_CODES[status] ?? (status >= 500 ? 'server_error' : 'invalid_input');
}

/** Upper bound on an error body we read: a misbehaving proxy must not make us buffer megabytes. */
const MAX_ERROR_BODY_CHARS = 64 * 1024;

/**
 * Maps a non-OK HTTP response to a {@link ChatError}: the status picks the code unless the JSON body names a known one,
 * the body's message is used when present, and `Retry-After` / `retry-after-ms` become `retryAfterMs`.
 * Reads (and so consumes) the body.
 *
 * @example
 * if (!response.ok) throw await chatErrorFromResponse(response);
 */
export async function chatErrorFromResponse(response: Response, now: number = Date.now()): Promise<ChatError> {
  let body: unknown;
  try {
    const text = await response.text();
    body = text.length <= MAX_ERROR_BODY_CHARS ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  // The protocol's `{ error: { code, message } }`, or the plain `{ error: "text" }`.
  const fromBody = readErrorFields(isRecord(body) ? body.error : undefined);
  const code = fromBody.code ?? codeForStatus(response.status);
  const retryAfterMs = parseRetryAfter(response.headers, now);
  return new ChatError(code, fromBody.message ?? defaultErrorMessage(code), {
    status: response.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
