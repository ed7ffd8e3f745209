import { ChatError, isChatErrorCode } from './chat-error.js';
import { defaultErrorMessage } from './error-from-response.js';
import { isRecord } from './is-record.js';
import { MAX_RETRY_AFTER_MS } from './retry-after.js';

/**
 * Maps an error the server reported inside a 200 answer (an SSE `event: error`, an OpenAI `{"error":{...}}` frame, a
 * server action's `{ ok: false, error }`) to a {@link ChatError}. A code outside the closed union becomes
 * `server_error`; a missing message gets the code's default; `retryAfterMs` is kept when it is a sane number.
 */
export function chatErrorFromPayload(value: unknown): ChatError {
  if (typeof value === 'string' && value.length > 0) return new ChatError('server_error', value);
  if (!isRecord(value)) return new ChatError('server_error', defaultErrorMessage('server_error'));
  const code = isChatErrorCode(value.code) ? value.code : 'server_error';
  const message = typeof value.message === 'string' && value.message.length > 0 ? value.message : defaultErrorMessage(code);
  const retryAfterMs = readRetryAfterMs(value.retryAfterMs);
  return new ChatError(code, message, retryAfterMs === undefined ? {} : { retryAfterMs });
}

/** Same rules as the headers (see `parseRetryAfter`): negative or non-finite is ignored, over 24 hours is clamped. */
function readRetryAfterMs(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  return Math.min(Math.ceil(value), MAX_RETRY_AFTER_MS);
}
