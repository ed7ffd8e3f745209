import { ChatError, isChatErrorCode, type ChatErrorCode } from './chat-error.js';
import { parseRetryAfter } from './retry-after.js';

const DEFAULT_MESSAGES: Record<ChatErrorCode, string> = {
  invalid_input: 'The request was not valid.',
  message_too_long: 'The message is too long.',
  unauthorized: 'You are not signed in, or your session has expired.',
  forbidden: 'You are not allowed to do this.',
  not_found: 'Not found.',
  conflict: 'This conflicts with something already saved.',
  rate_limited: 'Too many requests. Please wait a moment.',
  server_error: 'The server had a problem answering.',
  upstream_unavailable: 'The AI service is unavailable right now.',
  timeout: 'The request took too long.',
  network: 'Could not reach the server.',
  aborted: 'The request was cancelled.',
  bad_response: 'The server sent an answer colloquy could not read.',
};

/** The default human-readable message for each code, used when a server sends none. */
export function defaultErrorMessage(code: ChatErrorCode): string {
  return DEFAULT_MESSAGES[code];
}

/** The error code an HTTP status means when the body does not name one. */
export function codeForStatus(status: number): ChatErrorCode {
  switch (status) {
    case 400:
    case 422:
      return 'invalid_input';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 408:
    case 504:
      return 'timeout';
    case 413:
      return 'message_too_long';
    case 429:
      return 'rate_limited';
    case 502:
    case 503:
      return 'upstream_unavailable';
    default:
      return status >= 500 ? 'server_error' : 'invalid_input';
  }
}

/** What a JSON error body may say: the protocol's `{ error: { code, message } }` or the plain `{ error: "text" }`. */
function readErrorBody(body: unknown): { code?: ChatErrorCode; message?: string } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return {};
  const error = (body as { error: unknown }).error;
  if (typeof error === 'string') return { message: error };
  if (typeof error !== 'object' || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    ...(isChatErrorCode(code) ? { code } : {}),
    ...(typeof message === 'string' && message.length > 0 ? { message } : {}),
  };
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
  const fromBody = readErrorBody(body);
  const code = fromBody.code ?? codeForStatus(response.status);
  const retryAfterMs = parseRetryAfter(response.headers, now);
  return new ChatError(code, fromBody.message ?? DEFAULT_MESSAGES[code], {
    status: response.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
