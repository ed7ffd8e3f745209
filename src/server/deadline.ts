import { ChatError } from '../core/index.js';

/** An abort signal that bounds one upstream call: it fires when the time is up or when the client goes away. */
export interface Deadline {
  /** Pass it to the SDK and race every wait against it. */
  readonly signal: AbortSignal;
  /** True once `timeoutMs` elapsed before the work finished. */
  readonly timedOut: boolean;
  /** True once the client disconnected or the caller called {@link Deadline.abort}. */
  readonly clientGone: boolean;
  /** The error {@link Deadline.end} stopped the work with, if it did. */
  readonly stoppedBy: ChatError | undefined;
  /** Stops the work because the client went away (the response body was cancelled, say). */
  abort(): void;
  /** Stops the work with `error` (the client stopped reading, say), unless it already stopped. */
  end(error: ChatError): void;
  /** Clears the timer and the listener; call it when the work is over. */
  dispose(): void;
}

/**
 * A class rather than an object literal with getters: such a literal is kept in dictionary mode, and one deadline
 * lives as long as each open stream.
 */
class RequestDeadline implements Deadline {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  #timedOut = false;
  #clientGone = false;
  #stoppedBy: ChatError | undefined;
  #held: { readonly signal: AbortSignal } | undefined;
  readonly #onClientAbort = (): void => {
    this.#clientGone = true;
    this.#controller.abort(new ChatError('aborted', 'The client went away.'));
  };

  constructor(timeoutMs: number, request: { readonly signal: AbortSignal } | undefined) {
    this.#held = request;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new ChatError('timeout', 'The request took too long.'));
    }, timeoutMs);
    if (request?.signal.aborted) this.#onClientAbort();
    else request?.signal.addEventListener('abort', this.#onClientAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }
  get timedOut(): boolean {
    return this.#timedOut;
  }
  get clientGone(): boolean {
    return this.#clientGone;
  }
  get stoppedBy(): ChatError | undefined {
    return this.#stoppedBy;
  }
  abort(): void {
    if (!this.#controller.signal.aborted) this.#onClientAbort();
  }
  end(error: ChatError): void {
    if (this.#controller.signal.aborted) return;
    this.#stoppedBy = error;
    this.#controller.abort(error);
  }
  dispose(): void {
    clearTimeout(this.#timer);
    this.#held?.signal.removeEventListener('abort', this.#onClientAbort);
    this.#held = undefined;
  }
}

/**
 * Creates a {@link Deadline} of `timeoutMs` linked to `request`'s signal. It holds `request` itself until disposed:
 * Node's fetch links a Request's signal to the caller's through a weak reference, so a handler that kept only
 * `request.signal` could stop hearing the client's abort once the Request is garbage-collected mid-stream.
 */
export function createDeadline(timeoutMs: number, request?: { readonly signal: AbortSignal }): Deadline {
  return new RequestDeadline(timeoutMs, request);
}

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts. The SDK's back-off sleep between
 * retries ignores the signal, so a deadline is only a bound when every wait races it.
 */
export function raceSignal<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The loser may still reject (the SDK's call, on the aborted signal): observe it, or it is an unhandled rejection.
    promise.then(undefined, () => undefined);
    return Promise.reject(signal.reason as unknown);
  }
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
