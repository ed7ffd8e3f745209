import { ChatError, defaultErrorMessage, isChatErrorCode, type ChatErrorCode } from './chat-error.js';
import { isRecord } from './is-record.js';
import { MAX_RETRY_AFTER_MS } from './retry-after.js';

/**
 * What a server's error value says, in either shape servers send: a bare message string, or `{ code, message }`.
 * A code outside the closed union and an empty message count as not said.
 */
export function readErrorFields(value: unknown): { code?: ChatErrorCode; message?: string } {
  if (typeof value === 'string') return value.length > 0 ? { message: value } : {};
  if (!isRecord(value)) return {};
  const { code, message } = value;
  return {
    ...(isChatErrorCode(code) ? { code } : {}),
    ...(typeof message === 'string' && message.length > 0 ? { message } : {}),
  };
}

/**
 * Maps an error the server reported inside a 200 answer (an SSE `event: error`, an OpenAI `{"error":{...}}` frame, a
 * server action's `{ ok: false, error }`) to a {@link ChatError}. A code outside the closed union becomes
 * `server_error`; a missing message gets the code's default; `retryAfterMs` is kept when it is a sane number.
 */
export function chatErrorFromPayload(value: unknown): ChatError {
  const { code = 'server_error', message = defaultErrorMessage(code) } = readErrorFields(value);
  const retryAfterMs = isRecord(value) ? readRetryAfterMs(value.retryAfterMs) : undefined;
  return new ChatError(code, message, retryAfterMs === undefined ? {} : { retryAfterMs });
}

/** Same rules as the headers (see `parseRetryAfter`): negative or non-finite is ignored, over 24 hours is clamped. */
function readRetryAfterMs(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  return Math.min(Math.ceil(value), MAX_RETRY_AFTER_MS);
}
