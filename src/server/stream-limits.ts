import { positiveInteger } from './chat-runtime.js';

/**
 * Bounds on one streamed answer, against clients that read slowly or not at all and answers that never end: what the
 * server holds for it, how long it waits for the client to read, and how long it may last in all.
 */
export interface StreamLimits {
  /**
   * The longest a streamed answer may last, whatever `timeoutMs` says: the model is stopped then, the stream ends with
   * `event: error` `timeout`, and the text so far is kept (stored as `error` by the history endpoints). A client still
   * reading what was already written gets `writeIdleTimeoutMs` more to finish, then is disconnected.
   * @defaultValue 300_000 (5 minutes)
   */
  maxStreamMs?: number;
  /**
   * How long the server waits for a client that takes no byte of the answer while bytes are waiting for it. After
   * that the model's request is aborted, the answer so far is stored as `error`, and the connection is closed.
   * @defaultValue 30_000
   */
  writeIdleTimeoutMs?: number;
  /**
   * The most bytes of the answer the server queues for a client that reads slower than the model writes. When the
   * queue is full the server stops reading the model's stream (which pauses it) until the client catches up. Any
   * real answer fits in the default, so only a stalled client is ever paused.
   * @defaultValue 1_048_576 (1 MiB)
   */
  maxBufferedBytes?: number;
}

/** Every bound of {@link StreamLimits}, resolved. */
export type ResolvedStreamLimits = Required<StreamLimits>;

/** Resolves and checks the bounds (a `RangeError` at startup for anything but a positive integer). */
export function resolveStreamLimits(limits: StreamLimits): ResolvedStreamLimits {
  return {
    maxStreamMs: positiveInteger('maxStreamMs', limits.maxStreamMs, 300_000),
    writeIdleTimeoutMs: positiveInteger('writeIdleTimeoutMs', limits.writeIdleTimeoutMs, 30_000),
    maxBufferedBytes: positiveInteger('maxBufferedBytes', limits.maxBufferedBytes, 1024 * 1024),
  };
}
