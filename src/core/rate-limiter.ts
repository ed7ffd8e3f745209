import { createExternalStore, type ReadableStore } from './external-store.js';

/** What a rate limiter allows right now. */
export interface RateLimitState {
  /** Requests allowed per window; `Infinity` when only the server limits. */
  limit: number;
  /** Requests left in the current window. 0 while blocked by the server. */
  remaining: number;
  /** When sending is possible again (ms since the epoch), or `null` when it is possible now. */
  availableAt: number | null;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimitOptions {
  /** Requests allowed in any window of `intervalMs`. @defaultValue Infinity */
  maxRequests?: number;
  /** Length of the sliding window in ms. @defaultValue 60_000 */
  intervalMs?: number;
  /** Clock, injectable for tests. @defaultValue `Date.now` */
  now?: () => number;
}

/** The answer to {@link RateLimiter.tryAcquire}. */
export type AcquireResult = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * A client-side sliding-window limiter, observable like every colloquy store so a composer can show
 * "wait 12 s" and re-enable itself exactly on time. It is a courtesy to the user, not protection:
 * the server enforces its own limit (see `colloquy/server`).
 */
export interface RateLimiter extends ReadableStore<RateLimitState> {
  /** Takes one request slot if one is free. */
  tryAcquire: () => AcquireResult;
  /** Blocks every request for `ms` (a server's `Retry-After`). A shorter block never shortens a longer one. */
  blockFor: (ms: number) => void;
  /** Forgets all requests and blocks. */
  reset: () => void;
  /** Stops the internal timer. */
  dispose: () => void;
}

/**
 * Creates a sliding-window {@link RateLimiter}: at most `maxRequests` in any `intervalMs`.
 *
 * @example
 * const limiter = createRateLimiter({ maxRequests: 5, intervalMs: 60_000 });
 * const store = createChatStore({ transport, rateLimit: limiter });
 */
export function createRateLimiter(options: RateLimitOptions = {}): RateLimiter {
  const limit = options.maxRequests ?? Infinity;
  const intervalMs = options.intervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  if (!(limit > 0) || !(intervalMs > 0)) throw new RangeError('createRateLimiter: maxRequests and intervalMs must be positive.');

  let stamps: number[] = [];
  let blockedUntil = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const store = createExternalStore<RateLimitState>({ limit, remaining: limit, availableAt: null });

  function compute(at: number): RateLimitState {
    stamps = stamps.filter((stamp) => stamp > at - intervalMs);
    const blocked = blockedUntil > at;
    const full = stamps.length >= limit;
    const windowFreesAt = full ? (stamps[stamps.length - limit] as number) + intervalMs : 0;
    const availableAt = Math.max(blocked ? blockedUntil : 0, windowFreesAt);
    return { limit, remaining: blocked ? 0 : Math.max(0, limit - stamps.length), availableAt: availableAt > at ? availableAt : null };
  }

  /** Publishes the state and wakes up when it next changes by itself (a slot expiring or a block ending). */
  function refresh(): RateLimitState {
    const at = now();
    const next = compute(at);
    const current = store.getState();
    if (next.remaining !== current.remaining || next.availableAt !== current.availableAt) store.setState(next);
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const wake = Math.min(next.availableAt ?? Infinity, stamps.length > 0 ? (stamps[0] as number) + intervalMs : Infinity);
    if (wake !== Infinity) timer = setTimeout(refresh, Math.max(0, wake - at));
    return store.getState();
  }

  return {
    subscribe: store.subscribe,
    getState: store.getState,
    getInitialState: store.getInitialState,
    tryAcquire() {
      const state = refresh();
      if (state.availableAt !== null) return { ok: false, retryAfterMs: state.availableAt - now() };
      if (limit !== Infinity) stamps.push(now());
      refresh();
      return { ok: true };
    },
    blockFor(ms) {
      if (!(ms > 0)) return;
      blockedUntil = Math.max(blockedUntil, now() + ms);
      refresh();
    },
    reset() {
      stamps = [];
      blockedUntil = 0;
      refresh();
    },
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
