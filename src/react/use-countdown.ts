import { useCallback, useSyncExternalStore } from 'react';

/** Whole seconds from `at` until `untilMs`, rounded up so "1 s" shows until the moment is reached. */
function secondsUntil(untilMs: number | null, at: number): number | null {
  if (untilMs === null) return null;
  return Math.max(0, Math.ceil((untilMs - at) / 1000));
}

/**
 * The whole seconds left until `untilMs` (ms since the epoch), for "You can send again in 12 s" UIs.
 * Re-renders once per second, exactly when the number changes (a timer aligned to the next whole second
 * before the target, not a free-running interval), and stops its timer when the target is reached or the
 * component unmounts.
 *
 * @param untilMs - The moment to count down to, e.g. `RateLimitState.availableAt`; `null` for none.
 * @param now - The clock, injectable for tests and deterministic stories. Pass a stable function.
 *   @defaultValue `Date.now`
 * @returns The seconds left (rounded up), `0` once the moment has passed, or `null` when `untilMs` is `null`.
 *
 * @example
 * const seconds = useCountdown(chat.rateLimit.availableAt);
 * if (seconds) return <p>{labels.rateLimited(seconds)}</p>;
 */
export function useCountdown(untilMs: number | null | undefined, now: () => number = Date.now): number | null {
  const target = untilMs ?? null;
  const subscribe = useCallback(
    (onTick: () => void) => {
      if (target === null) return () => {};
      let timer: ReturnType<typeof setTimeout> | undefined;
      const schedule = () => {
        const left = target - now();
        timer = undefined;
        if (left <= 0) return;
        // Wake when the rounded-up count changes; a timer that fires early just schedules the small rest.
        timer = setTimeout(() => {
          onTick();
          schedule();
        }, left % 1000 || 1000);
      };
      schedule();
      return () => clearTimeout(timer);
    },
    [target, now],
  );
  // A number is compared by value, so ticks that do not change the count do not re-render.
  const getSnapshot = () => secondsUntil(target, now());
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}
