import { ChatError } from '../core/index.js';

/** An abort signal that bounds one upstream call: it fires when the time is up or when the client goes away. */
export interface Deadline {
  /** Pass it to the SDK and race every wait against it. */
  readonly signal: AbortSignal;
  /** True once `timeoutMs` elapsed before the work finished. */
  readonly timedOut: boolean;
  /** True once the client disconnected or the caller called {@link Deadline.abort}. */
  readonly clientGone: boolean;
  /** Stops the work because the client went away (the response body was cancelled, say). */
  abort(): void;
  /** Clears the timer and the listener; call it when the work is over. */
  dispose(): void;
}

/**
 * Creates a {@link Deadline} of `timeoutMs` linked to `request`'s signal. It holds `request` itself until disposed:
 * Node's fetch links a Request's signal to the caller's through a weak reference, so a handler that kept only
 * `request.signal` could stop hearing the client's abort once the Request is garbage-collected mid-stream.
 */
export function createDeadline(timeoutMs: number, request?: { readonly signal: AbortSignal }): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  let clientGone = false;
  let held = request;
  const onClientAbort = (): void => {
    clientGone = true;
    controller.abort(new ChatError('aborted', 'The client went away.'));
  };
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new ChatError('timeout', 'The request took too long.'));
  }, timeoutMs);
  if (held?.signal.aborted) onClientAbort();
  else held?.signal.addEventListener('abort', onClientAbort, { once: true });

  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    get clientGone() {
      return clientGone;
    },
    abort() {
      if (!controller.signal.aborted) onClientAbort();
    },
    dispose() {
      clearTimeout(timer);
      held?.signal.removeEventListener('abort', onClientAbort);
      held = undefined;
    },
  };
}

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts. The SDK's back-off sleep between
 * retries ignores the signal, so a deadline is only a bound when every wait races it.
 */
export function raceSignal<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as unknown);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as unknown);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
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
