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

/** All error codes, in a stable order (for docs, stories and exhaustive tests). */
export const CHAT_ERROR_CODES: readonly ChatErrorCode[] = [
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
];

const RETRYABLE: ReadonlySet<ChatErrorCode> = new Set([
  'rate_limited',
  'server_error',
  'upstream_unavailable',
  'timeout',
  'network',
  'aborted',
  'bad_response',
]);

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
    this.retryable = options.retryable ?? RETRYABLE.has(code);
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
  return typeof value === 'string' && (CHAT_ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Turns anything thrown (a fetch `TypeError`, an `AbortError`, a string) into a {@link ChatError}.
 * A `ChatError` is returned as is.
 */
export function toChatError(error: unknown): ChatError {
  if (isChatError(error)) return error;
  if (error instanceof DOMException || (error instanceof Error && error.name === 'AbortError')) {
    if (error.name === 'TimeoutError') return new ChatError('timeout', 'The request timed out.', { cause: error });
    if (error.name === 'AbortError') return new ChatError('aborted', 'The request was cancelled.', { cause: error });
  }
  if (error instanceof TypeError) {
    // fetch rejects with a TypeError for every transport-level failure (DNS, refused, reset, CORS).
    return new ChatError('network', 'Could not reach the server. Check your connection and try again.', { cause: error });
  }
  return new ChatError('bad_response', 'Something went wrong while talking to the server.', { cause: error });
}
