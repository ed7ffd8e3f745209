/** What {@link idleTimer} returns. */
export interface IdleTimer {
  /** A wait on the server starts: `onIdle` fires if it lasts `ms`. */
  wait: () => void;
  /** The wait ended (a chunk arrived): the caller's time until the next `wait()` does not count. */
  rest: () => void;
  /** Stops the timer for good. */
  clear: () => void;
}

/**
 * A timer that fires `onIdle` after `ms` of one uninterrupted wait on the server (`wait()` to `rest()`): time the
 * caller spends between reads is not the server's silence. Node's timers are re-armed in place with `refresh()`,
 * because clearing and creating one per chunk costs a few percent of the whole parse; elsewhere it is a plain
 * timeout per wait.
 */
export function idleTimer(ms: number, onIdle: () => void): IdleTimer {
  let waiting = false;
  let handle: ReturnType<typeof setTimeout> | undefined;
  const fire = (): void => {
    if (waiting) onIdle();
  };
  return {
    wait() {
      waiting = true;
      const refreshable = handle as { refresh?: () => unknown } | undefined;
      if (typeof refreshable?.refresh === 'function') refreshable.refresh();
      else handle = setTimeout(fire, ms);
    },
    rest() {
      waiting = false;
      if (typeof (handle as { refresh?: unknown } | undefined)?.refresh !== 'function') clearTimeout(handle);
    },
    clear() {
      waiting = false;
      clearTimeout(handle);
    },
  };
}
