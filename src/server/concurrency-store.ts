/**
 * Where the answers each client has in flight are counted, so a deployment with several instances can share one cap
 * (Redis, a database) by implementing both methods. `acquire` takes a slot only when fewer than `maxConcurrent` are
 * held, atomically for its key; every successful `acquire` is followed by exactly one `release`. A shared store
 * should expire a slot after the longest an answer can live (`maxStreamMs` plus `writeIdleTimeoutMs`), so the slots
 * of an instance that crashed come back.
 *
 * @example
 * const store: ConcurrencyStore = {
 *   acquire: (key, max) => redis.eval(TAKE_SLOT_SCRIPT, [key], [max]).then((taken) => taken === 1),
 *   release: (key) => redis.decr(key).then(() => undefined),
 * };
 */
export interface ConcurrencyStore {
  /** Takes one of `maxConcurrent` slots of `key`; `false` when all are taken (nothing is counted then). */
  acquire(key: string, maxConcurrent: number): boolean | Promise<boolean>;
  /** Gives back a slot taken by `acquire`. */
  release(key: string): void | Promise<void>;
}

/**
 * The default {@link ConcurrencyStore}: a count per key in this process's memory. A key is forgotten when its count
 * returns to zero, so the map never holds more keys than there are answers in flight. Each instance of a serverless
 * or multi-process deployment counts on its own: the cap is per instance unless the store is shared.
 *
 * @example
 * createChatHandlers({ model, concurrency: { maxConcurrent: 2, store: createMemoryConcurrencyStore() } });
 */
export function createMemoryConcurrencyStore(): ConcurrencyStore {
  const held = new Map<string, number>();
  return {
    acquire(key, maxConcurrent) {
      const count = held.get(key) ?? 0;
      if (count >= maxConcurrent) return false;
      held.set(key, count + 1);
      return true;
    },
    release(key) {
      const count = held.get(key) ?? 0;
      if (count <= 1) held.delete(key);
      else held.set(key, count - 1);
    },
  };
}
