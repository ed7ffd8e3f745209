import type { UseChatResult } from '../react/index.js';

/**
 * Whether a failed or stopped message offers Retry: not while rate-limited, and not for errors that sending the same
 * message again cannot fix (invalid, too long, forbidden, gone). `unauthorized` keeps it: after signing in again, it
 * works.
 */
export function canRetry(chat: UseChatResult): boolean {
  if (chat.rateLimit.availableAt !== null) return false;
  return chat.error === null || chat.error.retryable || chat.error.code === 'unauthorized';
}

/**
 * When the banner may offer Retry for a `rate_limited` error: the limiter's deadline, the one the composer counts
 * down to. Once the limiter is free (`null`) the wait is over (`0`); `null` would make the banner fall back to its
 * own estimate, which starts when it first rendered and so ends later, keeping Retry hidden after Send is enabled.
 */
export function rateLimitRetryAt(chat: UseChatResult): number | null | undefined {
  if (chat.error?.code !== 'rate_limited') return undefined;
  return chat.rateLimit.availableAt ?? (chat.error.retryAfterMs === undefined ? null : 0);
}
