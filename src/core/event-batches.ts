/**
 * Hands out events that a reader produced in batches (never empty), one per `next()`. The SSE reader yields one
 * batch per network chunk instead of one `yield` per event: each `yield` of an async generator costs several microtask turns, which
 * for a stream of small events costs more than parsing them. Behaves like an async generator of the events: calls
 * to `next()` are served in order and `return()` finishes the reader (running its cleanup). `stopped()` is asked
 * before each event: once it returns an error, the rest of the batch is dropped and the call rejects with it.
 */
export function eventsOfBatches<T>(batches: AsyncGenerator<T[], void>, stopped: () => unknown): AsyncIterableIterator<T> {
  let batch: T[] = [];
  let index = 0;
  let pending: Promise<IteratorResult<T>> | undefined;

  /** The next event of the batch in hand (never used up when called), or the rejection once stopped. */
  const take = (): IteratorResult<T> | Promise<never> => {
    const error = stopped();
    if (error === undefined) return { done: false, value: batch[index++] as T };
    batch = [];
    return batches.return().then(() => Promise.reject(error));
  };

  const pull = (): Promise<IteratorResult<T>> => {
    if (index < batch.length) return Promise.resolve(take());
    const next = batches.next().then(
      // Returns the result itself, not a promise of it: a promise here would cost two more turns per chunk.
      (step): IteratorResult<T> | Promise<never> => {
        pending = undefined;
        if (step.done === true) return { done: true, value: undefined };
        batch = step.value;
        index = 0;
        return take();
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    pending = next;
    return next;
  };

  const iterator: AsyncIterableIterator<T> = {
    // A call made while the previous one waits for a batch is served after it, in order, as a generator would.
    next: () => (pending === undefined ? pull() : pending.then(pull, pull)),
    return: () => {
      batch = [];
      return batches.return().then(() => ({ done: true, value: undefined }));
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
