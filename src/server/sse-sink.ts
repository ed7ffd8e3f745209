import { ChatError } from '../core/index.js';
import { createRestartableTimer } from './restartable-timer.js';
import { HEARTBEAT_FRAME } from './sse-frames.js';

/** Options of {@link createSink}. */
export interface SinkOptions {
  /** A `: heartbeat` comment is written after this long without a frame, while the client has nothing left to read. */
  heartbeatMs: number;
  /** High-water mark of the body's queue, in bytes: past it, {@link Sink.room} makes the writer wait. */
  maxBufferedBytes: number;
  /** The body is errored when bytes wait in the queue and the client takes none for this long. */
  writeIdleTimeoutMs: number;
  /** When the answer must be over (epoch ms): a close with bytes still queued waits until then, and at least `writeIdleTimeoutMs`. */
  endBy: number;
  /** Heartbeats stop once it aborts (the answer is ending). */
  signal: AbortSignal;
  /** The client cancelled the body: it went away. */
  onCancel: () => void;
  /** The client stopped reading, or did not finish in time: the body was errored, dropping what was queued. */
  onStall: (error: ChatError) => void;
  /** Once, when the body is over: read to its end, errored, or cancelled. */
  onSettled: () => void;
}

/** The writer of an SSE response body with a bounded queue. */
export interface Sink {
  /** The response body. */
  readonly body: ReadableStream<Uint8Array>;
  /** Queues a frame; `false` when it was dropped because the body is closed, errored or cancelled. */
  write(frame: Uint8Array): boolean;
  /** `undefined` while the queue is below its high-water mark; else resolves when the client made room or the body ended. */
  room(): Promise<void> | undefined;
  /** Ends the body once the client has read what is queued. */
  close(): void;
}

/**
 * Creates the response body's writer. The body is a `ReadableStream` whose queue counts bytes, so a client that
 * reads slower than the model writes holds the writer at `maxBufferedBytes` (the caller stops reading the model
 * until {@link Sink.room} resolves), and a client that takes nothing for `writeIdleTimeoutMs` has its body errored,
 * which frees the queue and closes the connection. What the client took is read from the queue's size: bytes
 * written minus bytes still queued.
 */
export function createSink(options: SinkOptions): Sink {
  const { heartbeatMs, maxBufferedBytes, writeIdleTimeoutMs } = options;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let done = false;
  let closing = false;
  let written = 0;
  let taken = 0;
  let takenAt = Date.now();
  let idle: ReturnType<typeof setTimeout> | undefined;
  let drain: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;

  const queued = (): number => (controller === undefined ? 0 : maxBufferedBytes - (controller.desiredSize ?? maxBufferedBytes));
  const observe = (): void => {
    const now = written - queued();
    if (now > taken) {
      taken = now;
      takenAt = Date.now();
    }
  };
  const finish = (): void => {
    done = true;
    controller = undefined;
    heartbeat.stop();
    clearTimeout(idle);
    clearTimeout(drain);
    wake?.();
    wake = undefined;
    options.onSettled();
  };
  const stall = (message: string): void => {
    if (done) return;
    // 408: the client was too slow, not the server; erroring drops the queue, which a stalled client never reads.
    const error = new ChatError('timeout', message, { status: 408 });
    try {
      controller?.error(error);
    } catch {
      // Already closed.
    }
    finish();
    options.onStall(error);
  };
  const checkIdle = (): void => {
    idle = undefined;
    observe();
    if (done || queued() === 0) return;
    if (Date.now() - takenAt >= writeIdleTimeoutMs) stall('The client stopped reading the answer.');
    else armIdle();
  };
  const armIdle = (): void => {
    if (idle !== undefined || done || queued() === 0) return;
    idle = setTimeout(checkIdle, Math.max(0, takenAt + writeIdleTimeoutMs - Date.now()));
  };
  // Restarted by every write: refreshed in place rather than cleared and set again per frame.
  const heartbeat = createRestartableTimer(() => {
    if (options.signal.aborted) return;
    // A client with bytes still to read is not waiting on silence; one that read everything must hear from us.
    if (queued() === 0) sink.write(HEARTBEAT_FRAME);
    else armHeartbeat();
  }, heartbeatMs);
  const armHeartbeat = (): void => {
    if (done || closing) heartbeat.stop();
    else heartbeat.restart();
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(value) {
        controller = value;
      },
      // Called after each read that leaves room: the client took bytes.
      pull() {
        observe();
        if (closing && queued() === 0) {
          controller?.close();
          finish();
          return;
        }
        if ((controller?.desiredSize ?? 0) > 0) {
          wake?.();
          wake = undefined;
        }
      },
      cancel() {
        if (done) return;
        finish();
        options.onCancel();
      },
    },
    { highWaterMark: maxBufferedBytes, size: (chunk) => chunk.byteLength },
  );

  const sink: Sink = {
    body,
    write(frame) {
      if (controller === undefined || closing) return false;
      // A client that had read everything was not late: its wait for these bytes starts now.
      if (queued() === 0) {
        taken = written;
        takenAt = Date.now();
      }
      try {
        controller.enqueue(frame);
      } catch {
        return false;
      }
      written += frame.byteLength;
      armHeartbeat();
      armIdle();
      return true;
    },
    room() {
      if (done || (controller?.desiredSize ?? 0) > 0) return undefined;
      return new Promise<void>((resolve) => {
        const previous = wake;
        wake = () => {
          previous?.();
          resolve();
        };
      });
    },
    close() {
      if (done || closing) return;
      closing = true;
      heartbeat.stop();
      if (queued() === 0) {
        controller?.close();
        finish();
        return;
      }
      drain = setTimeout(() => stall('The client did not read the answer in time.'), Math.max(options.endBy - Date.now(), writeIdleTimeoutMs));
      armIdle();
    },
  };
  // Silence is counted from the 200.
  armHeartbeat();
  return sink;
}
