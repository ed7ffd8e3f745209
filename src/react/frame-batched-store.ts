import type { ReadableStore } from '../core/index.js';

/** Schedules `flush` for the next paint; returns a cancel function. */
export type FrameScheduler = (flush: () => void) => () => void;

/** `requestAnimationFrame` where there is one (browsers), a 16 ms timer elsewhere (jsdom without rAF, SSR). */
export const scheduleNextFrame: FrameScheduler = (flush) => {
  if (typeof requestAnimationFrame === 'function') {
    const id = requestAnimationFrame(flush);
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(flush, 16);
  return () => clearTimeout(id);
};

/**
 * Wraps a store's `subscribe` so listeners hear at most one change per animation frame, except when
 * `isUrgent(previous, next)` says a change must show now (a status change: send, stop, finish, error).
 * Nothing is dropped: the frame flush reads the latest state, so the last token always shows.
 */
export function batchToFrames<T>(
  store: ReadableStore<T>,
  isUrgent: (previous: T, next: T) => boolean,
  schedule: FrameScheduler = scheduleNextFrame,
): ReadableStore<T> {
  return {
    getState: store.getState,
    getInitialState: store.getInitialState,
    subscribe(listener) {
      let notified = store.getState();
      let cancel: (() => void) | undefined;
      const flush = () => {
        cancel = undefined;
        notified = store.getState();
        listener();
      };
      const unsubscribe = store.subscribe(() => {
        if (isUrgent(notified, store.getState())) {
          cancel?.();
          flush();
        } else {
          cancel ??= schedule(flush);
        }
      });
      return () => {
        cancel?.();
        unsubscribe();
      };
    },
  };
}
