import { ChatError, defaultErrorMessage } from './chat-error.js';

/** The error every transport throws when the caller's signal aborts, whatever the signal's reason was. */
export function abortedError(cause?: unknown): ChatError {
  return new ChatError('aborted', defaultErrorMessage('aborted'), cause === undefined ? {} : { cause });
}

function ignore(): void {}

/**
 * Settles like `promise`, but rejects at once with an `aborted` {@link ChatError} when `signal` aborts first.
 * A custom `fetch`, a stream read or a server action may ignore the signal; racing it keeps a stopped turn
 * from waiting on them.
 */
export function abortable<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The loser may still reject later; handle it so it never surfaces as an unhandled rejection.
    Promise.resolve(promise).then(ignore, ignore);
    return Promise.reject(abortedError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
