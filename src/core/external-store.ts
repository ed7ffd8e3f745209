/** The store contract every colloquy store follows (Zustand's names, React's `useSyncExternalStore` shape). */
export interface ReadableStore<T> {
  /** Registers a listener called after every change; returns the unsubscribe function. Bound: safe to pass around. */
  subscribe: (listener: () => void) => () => void;
  /** The current state: the same object until a change replaces it. */
  getState: () => T;
  /** The state before any change, for server rendering. */
  getInitialState: () => T;
}

/** A {@link ReadableStore} plus the private `setState` its owner uses. */
export interface WritableStore<T> extends ReadableStore<T> {
  setState: (next: T) => void;
}

/** Creates a minimal store; `setState` with the same object notifies no one. */
export function createExternalStore<T>(initial: T): WritableStore<T> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    getState: () => state,
    getInitialState: () => initial,
    setState: (next) => {
      if (Object.is(next, state)) return;
      state = next;
      for (const listener of [...listeners]) listener();
    },
  };
}
