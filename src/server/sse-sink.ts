import type { Deadline } from './deadline.js';
import { HEARTBEAT_FRAME } from './sse-frames.js';

/** The writer of an SSE response body. */
export interface Sink {
  attach(controller: ReadableStreamDefaultController<Uint8Array>): void;
  /** Queues a frame; `false` when it was dropped because the body is closed or the client cancelled it. */
  write(frame: Uint8Array): boolean;
  close(): void;
}

/**
 * The response body's writer: ignores writes after close (or after the client cancelled), and writes a `: heartbeat`
 * comment after every `heartbeatMs` without a frame, counted from the last frame or from `attach` (the `200`).
 */
export function createSink(heartbeatMs: number, deadline: Deadline): Sink {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Silence is counted from the last frame, or from the 200 when nothing was written yet.
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!deadline.signal.aborted) sink.write(HEARTBEAT_FRAME);
    }, heartbeatMs);
  };
  const sink: Sink = {
    attach(value) {
      controller = value;
      arm();
    },
    write(frame) {
      if (controller === undefined) return false;
      try {
        controller.enqueue(frame);
      } catch {
        controller = undefined;
        return false;
      }
      arm();
      return true;
    },
    close() {
      clearTimeout(timer);
      try {
        controller?.close();
      } catch {
        // Already closed or cancelled.
      }
      controller = undefined;
    },
  };
  return sink;
}
