import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter } from 'colloquy/core';

describe('createRateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('allows maxRequests per sliding window, then says when the next slot frees', () => {
    const limiter = createRateLimiter({ maxRequests: 2, intervalMs: 10_000 });
    expect(limiter.tryAcquire()).toEqual({ ok: true });
    vi.advanceTimersByTime(4_000);
    expect(limiter.tryAcquire()).toEqual({ ok: true });
    expect(limiter.getState()).toEqual({ limit: 2, remaining: 0, availableAt: 1_010_000 });
    expect(limiter.tryAcquire()).toEqual({ ok: false, retryAfterMs: 6_000 });
    vi.advanceTimersByTime(6_000);
    // The first slot slid out of the window; the second is still in it.
    expect(limiter.getState()).toEqual({ limit: 2, remaining: 1, availableAt: null });
    expect(limiter.tryAcquire()).toEqual({ ok: true });
  });

  it('notifies subscribers when a slot frees by itself, exactly on time', () => {
    const limiter = createRateLimiter({ maxRequests: 1, intervalMs: 5_000 });
    const seen: Array<number | null> = [];
    limiter.subscribe(() => seen.push(limiter.getState().availableAt));
    limiter.tryAcquire();
    expect(seen).toEqual([1_005_000]);
    vi.advanceTimersByTime(4_999);
    expect(seen).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([1_005_000, null]);
  });

  it('blockFor (a server Retry-After) blocks even an unlimited limiter, and never shortens a longer block', () => {
    const limiter = createRateLimiter();
    limiter.blockFor(30_000);
    limiter.blockFor(5_000);
    expect(limiter.getState()).toEqual({ limit: Infinity, remaining: 0, availableAt: 1_030_000 });
    expect(limiter.tryAcquire()).toEqual({ ok: false, retryAfterMs: 30_000 });
    vi.advanceTimersByTime(30_000);
    expect(limiter.getState().availableAt).toBeNull();
    expect(limiter.tryAcquire()).toEqual({ ok: true });
  });

  it('keeps the same state object while nothing changes', () => {
    const limiter = createRateLimiter({ maxRequests: 3, intervalMs: 1_000 });
    const before = limiter.getState();
    limiter.blockFor(0);
    expect(limiter.getState()).toBe(before);
  });

  it('rejects nonsensical options', () => {
    expect(() => createRateLimiter({ maxRequests: 0 })).toThrow(RangeError);
  });
});
