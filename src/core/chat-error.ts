/**
 * Every way a chat operation can fail, one closed union so callers can switch exhaustively.
 * @see docs/protocol.md, "Errors"
 */
export type ChatErrorCode =
  | 'invalid_input'
  | 'message_too_long'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'server_error'
  | 'upstream_unavailable'
  | 'timeout'
  | 'network'
  | 'aborted'
  | 'bad_response';

/**
 * Each code's default human-readable message (used when a server sends none) and whether sending again may succeed:
 * one table, so a new code cannot be listed in one place and forgotten in another.
 */
const CODES: Record<ChatErrorCode, readonly [message: string, retryable: boolean]> = {
  invalid_input: ['The request was not valid.', false],
  message_too_long: ['The message is too long.', false],
  unauthorized: ['You are not signed in, or your session has expired.', false],
  forbidden: ['You are not allowed to do this.', false],
  not_found: ['Not found.', false],
  conflict: ['This conflicts with something already saved.', false],
  rate_limited: ['Too many requests. Please wait a moment.', true],
  server_error: ['The server had a problem answering.', true],
  upstream_unavailable: ['The AI service is unavailable right now.', true],
  timeout: ['The request took too long.', true],
  network: ['Could not reach the server.', true],
  aborted: ['The request was cancelled.', true],
  bad_response: ['The server sent an answer colloquy could not read.', true],
};

/** All error codes, in a stable order (for docs, stories and exhaustive tests). */
export const CHAT_ERROR_CODES: readonly ChatErrorCode[] = Object.keys(CODES) as ChatErrorCode[];

/** The default human-readable message for each code, used when a server sends none. */
export function defaultErrorMessage(code: ChatErrorCode): string {
  return CODES[code][0];
}

/** Options of {@link ChatError}. */
export interface ChatErrorOptions {
  /** HTTP status of the response that caused it, if any. */
  status?: number;
  /** How long to wait before trying again, in milliseconds. */
  retryAfterMs?: number;
  /** Whether sending again may succeed. @defaultValue derived from `code` */
  retryable?: boolean;
  /** The underlying error, kept for debugging. */
  cause?: unknown;
}

/**
 * The one error type colloquy throws or reports across its public API.
 *
 * @example
 * if (isChatError(error) && error.code === 'rate_limited') wait(error.retryAfterMs);
 */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  readonly code: ChatErrorCode;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly retryable: boolean;

  constructor(code: ChatErrorCode, message: string, options: ChatErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    // `?.`: a plain-JavaScript caller may pass a code outside the union; such an error is not retryable.
    this.retryable = options.retryable ?? CODES[code]?.[1] ?? false;
  }

  /** A plain object for logs and wire bodies (no stack, no cause). */
  toJSON(): { code: ChatErrorCode; message: string; status?: number; retryAfterMs?: number } {
    return {
      code: this.code,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

/** True when `value` is a {@link ChatError} (also across bundle copies, by shape). */
export function isChatError(value: unknown): value is ChatError {
  return (
    value instanceof ChatError ||
    (value instanceof Error && value.name === 'ChatError' && isChatErrorCode((value as { code?: unknown }).code))
  );
}

/** True when `value` is a code of the {@link ChatErrorCode} union. */
export function isChatErrorCode(value: unknown): value is ChatErrorCode {
  return typeof value === 'string' && Object.hasOwn(CODES, value);
}

/**
 * Turns anything thrown (a fetch `TypeError`, an `AbortError`, a string) into a {@link ChatError}.
 * A `ChatError` is returned as is.
 */
export function toChatError(error: unknown): ChatError {
  if (isChatError(error)) return error;
  if (error instanceof DOMException || (error instanceof Error && error.name === 'AbortError')) {
    if (error.name === 'TimeoutError') return new ChatError('timeout', 'The request timed out.', { cause: error });
    if (error.name === 'AbortError') return new ChatError('aborted', defaultErrorMessage('aborted'), { cause: error });
  }
  if (error instanceof TypeError) {
    // fetch rejects with a TypeError for every transport-level failure (DNS, refused, reset, CORS).
    return new ChatError('network', 'Could not reach the server. Check your connection and try again.', { cause: error });
  }
  return new ChatError('bad_response', 'Something went wrong while talking to the server.', { cause: error });
}
