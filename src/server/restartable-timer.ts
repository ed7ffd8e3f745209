/** A one-shot timer that can be pushed back cheaply, many times a second. */
export interface RestartableTimer {
  /** Starts the timer again from now, whether it was pending, fired or stopped. */
  restart(): void;
  /** Cancels it until the next {@link RestartableTimer.restart}. */
  stop(): void;
}

type NodeTimer = { refresh(): unknown };

function isRefreshable(handle: unknown): handle is NodeTimer {
  return typeof handle === 'object' && handle !== null && typeof (handle as Partial<NodeTimer>).refresh === 'function';
}

/**
 * Creates a stopped timer that calls `callback` `ms` after each restart. On Node a restart is `timeout.refresh()`,
 * which moves the timer in place instead of allocating a new one (a streamed answer restarts it on every write);
 * runtimes whose `setTimeout` returns a number (Deno, workers) clear and set.
 */
export function createRestartableTimer(callback: () => void, ms: number): RestartableTimer {
  let handle: ReturnType<typeof setTimeout> | undefined;
  let pending = false;
  const fire = (): void => {
    pending = false;
    callback();
  };
  return {
    restart() {
      // Only a pending timer is refreshed: what refresh does to a fired or cleared one differs between runtimes.
      if (pending && isRefreshable(handle)) {
        handle.refresh();
        return;
      }
      clearTimeout(handle);
      handle = setTimeout(fire, ms);
      pending = true;
    },
    stop() {
      clearTimeout(handle);
      pending = false;
    },
  };
}
