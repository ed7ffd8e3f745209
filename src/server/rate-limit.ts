import { ChatError, defaultErrorMessage } from '../core/index.js';
import { createMemoryRateLimitStore, type RateLimitDecision, type RateLimitStore } from './rate-limit-store.js';

/**
 * Server-side rate limiting, per client key, checked before the body is read and before any upstream call.
 * @typeParam Args - what the key function receives: the `Request` for route handlers, nothing for server actions.
 */
export interface ServerRateLimitOptions<Args extends unknown[]> {
  /** Requests allowed per key in any window of `intervalMs`. */
  maxRequests: number;
  /** Length of the sliding window, in milliseconds. */
  intervalMs: number;
  /**
   * The client's key. Route handlers default to the first address of `X-Forwarded-For`, else `'anonymous'` (one shared
   * bucket): that header is only trustworthy behind a proxy that sets it (Vercel, most load balancers), so pass a
   * key (a user id, say) when yours does not. The concurrency cap and the token budget count per this key too.
   */
  key?: (...args: Args) => string | Promise<string>;
  /** Where counts live. @defaultValue a {@link createMemoryRateLimitStore} per handler set */
  store?: RateLimitStore;
  /** Clock, for tests. @defaultValue `Date.now` */
  now?: () => number;
}

/** Longest key kept, so a forged header cannot make the store hold huge strings. */
const MAX_KEY_LENGTH = 128;

/** The default key of route handlers: the first address of `X-Forwarded-For`, else `'anonymous'`. */
export function forwardedForKey(request: Request): string {
  const first = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return first ? first.slice(0, MAX_KEY_LENGTH) : 'anonymous';
}

/** Counts one request of a client key and resolves with the store's decision (allowed or not). */
export type RateLimitCheck = (key: string) => Promise<RateLimitDecision>;

/** Builds the check for `options`, validating them once. The key is resolved by {@link createClientKey}. */
export function createRateLimitCheck(options: Pick<ServerRateLimitOptions<unknown[]>, 'maxRequests' | 'intervalMs' | 'store' | 'now'>): RateLimitCheck {
  const { maxRequests, intervalMs } = options;
  if (!(Number.isInteger(maxRequests) && maxRequests > 0) || !(intervalMs > 0)) {
    throw new RangeError('rateLimit: maxRequests must be a positive integer and intervalMs positive.');
  }
  const store = options.store ?? createMemoryRateLimitStore();
  const now = options.now ?? Date.now;
  return async (key) => store.hit(key, { maxRequests, intervalMs }, now());
}

/**
 * The client key of a request: `rateLimit.key` when given, else `fallback`, cut to a bounded length. The rate limit,
 * the concurrency cap and the token budget all count per this key.
 */
export function createClientKey<Args extends unknown[]>(
  key: ((...args: Args) => string | Promise<string>) | undefined,
  fallback: (...args: Args) => string,
): (...args: Args) => Promise<string> {
  const resolve = key ?? fallback;
  return async (...args) => String(await resolve(...args)).slice(0, MAX_KEY_LENGTH);
}

/** The 429 `rate_limited` error of a refused decision. */
export function rateLimitedError(decision: RateLimitDecision): ChatError {
  return new ChatError('rate_limited', defaultErrorMessage('rate_limited'), { status: 429, retryAfterMs: decision.retryAfterMs ?? 0 });
}

/**
 * Sets `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds), from draft-ietf-httpapi-ratelimit-headers;
 * informational: clients time retries from `Retry-After`.
 */
export function setRateLimitHeaders(headers: Headers, decision: RateLimitDecision): void {
  headers.set('RateLimit-Limit', String(decision.limit));
  headers.set('RateLimit-Remaining', String(decision.remaining));
  headers.set('RateLimit-Reset', String(Math.ceil(decision.resetMs / 1000)));
}
