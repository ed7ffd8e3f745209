/** A sliding-window limit: at most `maxRequests` in any `intervalMs`. */
export interface RateLimitRule {
  maxRequests: number;
  intervalMs: number;
}

/** What a {@link RateLimitStore} decided for one request. */
export interface RateLimitDecision {
  /** Whether the request may proceed (it was counted when it may). */
  allowed: boolean;
  /** The rule's `maxRequests`. */
  limit: number;
  /** Requests left in the window after this one. */
  remaining: number;
  /** Milliseconds until the oldest counted request leaves the window (0 when none is counted). */
  resetMs: number;
  /** For a refused request: milliseconds until one is allowed again. */
  retryAfterMs?: number;
}

/**
 * Where request timestamps are kept, so a deployment with several instances can share one limit (Redis, a
 * database) by implementing `hit`. `hit` counts the request when it is allowed, atomically for its key.
 *
 * @example
 * const store: RateLimitStore = { hit: (key, rule, now) => redisSlidingWindow(key, rule, now) };
 */
export interface RateLimitStore {
  hit(key: string, rule: RateLimitRule, now: number): RateLimitDecision | Promise<RateLimitDecision>;
}

/** Options of {@link createMemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /** Most client keys remembered; the least recently seen is forgotten first, so a flood of keys cannot exhaust memory. @defaultValue 10_000 */
  maxKeys?: number;
}

/**
 * The default {@link RateLimitStore}: a sliding log of timestamps per key, in this process's memory. Each instance
 * of a serverless or multi-process deployment counts on its own, so the effective limit is per instance; share a
 * store to make it global. Refused requests are not counted, so a client that keeps retrying is let in as soon as
 * its window frees a slot.
 *
 * @example
 * createChatHandlers({ model, rateLimit: { maxRequests: 20, intervalMs: 60_000, store: createMemoryRateLimitStore({ maxKeys: 50_000 }) } });
 */
export function createMemoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): RateLimitStore {
  const maxKeys = options.maxKeys ?? 10_000;
  if (!(maxKeys >= 1)) throw new RangeError('createMemoryRateLimitStore: maxKeys must be at least 1.');
  const windows = new Map<string, number[]>();

  return {
    hit(key, { maxRequests, intervalMs }, now) {
      const stamps = (windows.get(key) ?? []).filter((stamp) => stamp > now - intervalMs);
      // Re-inserted so the Map's order is least recently seen first.
      windows.delete(key);
      const allowed = stamps.length < maxRequests;
      if (allowed) stamps.push(now);
      if (stamps.length > 0) windows.set(key, stamps);
      while (windows.size > maxKeys) windows.delete(windows.keys().next().value as string);

      const oldest = stamps[0];
      const resetMs = oldest === undefined ? 0 : oldest + intervalMs - now;
      const decision: RateLimitDecision = { allowed, limit: maxRequests, remaining: Math.max(0, maxRequests - stamps.length), resetMs };
      if (!allowed) {
        // The slot that frees first is the one `maxRequests` back from the newest.
        const freeing = stamps[stamps.length - maxRequests] ?? now;
        decision.retryAfterMs = Math.max(0, freeing + intervalMs - now);
      }
      return decision;
    },
  };
}
