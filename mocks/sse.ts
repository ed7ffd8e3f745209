/**
 * The frame that ends a successful stream. Clients compare the data field exactly: `[DONE] ` is not the sentinel.
 * @see docs/protocol.md, "Streaming answer"
 */
export const SSE_DONE = 'data: [DONE]\n\n';

/**
 * One `data:` frame holding `value` as JSON.
 *
 * @example
 * sseData({ content: 'Hi' }); // 'data: {"content":"Hi"}\n\n'
 */
export function sseData(value: unknown): string {
  // JSON.stringify escapes newlines inside strings, so the payload always fits on one `data:` line.
  return `data: ${JSON.stringify(value)}\n\n`;
}

/**
 * A named event (`event: <name>`) whose data is `value` as JSON, as used for `event: error`.
 *
 * @example
 * sseEvent('error', { code: 'upstream_unavailable', message: 'Try again.' });
 */
export function sseEvent(name: string, value: unknown): string {
  if (/[\r\n]/.test(name)) throw new TypeError('An SSE event name cannot contain a line break.');
  return `event: ${name}\ndata: ${JSON.stringify(value)}\n\n`;
}

/**
 * A comment frame (`: text`), which clients ignore but which resets their idle timer, e.g. `: heartbeat`.
 */
export function sseComment(text: string): string {
  // Each line of a multi-line comment needs its own colon, or the second line would be read as a field.
  return `${text
    .split(/\r\n|\r|\n/)
    .map((line) => `: ${line}`)
    .join('\n')}\n\n`;
}

/**
 * The headers of a protocol stream. `no-transform` and `X-Accel-Buffering: no` stop proxies (nginx, CDNs) from
 * compressing or buffering it.
 * @see docs/protocol.md, "Streaming answer"
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
};

/**
 * One step of a scripted stream: `afterMs` after the reader asks for it (so after the previous step; `Infinity`:
 * never, the connection stays open until the client aborts), either write `frame`,
 * or break the connection with `error` (the client's read rejects with it, as with a dropped socket). `onPlayed` runs
 * once the frame is handed to the connection (or just before the error breaks it): what a server stores as "forwarded".
 */
export type SseStep = ({ afterMs: number; frame: string } | { afterMs: number; error: unknown }) & { onPlayed?: () => void };

/** Callbacks of {@link createSseStream}. */
export interface SseStreamHooks {
  /** The client went away before the script ended: its request was aborted, or it cancelled the body. Runs once. */
  onDisconnect?: () => void;
}

/**
 * A byte stream that plays `steps` in order, then closes. It is pull-based with no buffer of its own: each step's
 * `afterMs` starts when the reader asks for more, so frames written before an `error` step always reach the reader
 * before the error (erroring a stream discards what is still queued). When `abortable.signal` aborts, the pending
 * timer is cleared and the stream errors with the abort reason, which is what a client reading a real aborted `fetch`
 * sees. Zero-delay steps use no timer, so `tokensPerSecond: Infinity` stays fast.
 *
 * @param abortable - the handler's `request` (or an `AbortController`). Pass the request itself, not
 * `request.signal`: Node's fetch links a Request's signal to the caller's through a weak reference, so once the
 * Request object is garbage-collected the caller's abort no longer reaches the signal. The stream keeps it alive.
 * @example
 * new HttpResponse(createSseStream([{ afterMs: 0, frame: sseData({ content: 'Hi' }) }, { afterMs: 0, frame: SSE_DONE }], request));
 */
export function createSseStream(
  steps: readonly SseStep[],
  abortable?: { readonly signal: AbortSignal },
  hooks: SseStreamHooks = {},
): ReadableStream<Uint8Array> {
  const signal = abortable?.signal;
  const encoder = new TextEncoder();
  let index = 0;
  let finished = false;
  const disconnect = (): void => {
    if (finished) return;
    finished = true;
    hooks.onDisconnect?.();
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let onAbort: (() => void) | undefined;

  const cleanup = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    onAbort = undefined;
    // Let a pull that is waiting on the timer return instead of hanging.
    wake?.();
    wake = undefined;
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (signal?.aborted) {
          disconnect();
          controller.error(signal.reason);
          return;
        }
        onAbort = () => {
          cleanup();
          disconnect();
          // Read through `abortable`, not `signal`: this closure is what keeps the Request alive (see @param).
          controller.error(abortable?.signal.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        const step = steps[index];
        if (step === undefined) {
          finished = true;
          cleanup();
          controller.close();
          return;
        }
        if (step.afterMs > 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            // `Infinity` holds the connection open until the client goes away (a stalled upstream).
            if (Number.isFinite(step.afterMs)) timer = setTimeout(resolve, step.afterMs);
          });
          timer = undefined;
          wake = undefined;
          if (signal?.aborted) return;
        }
        index++;
        if ('error' in step) {
          finished = true;
          step.onPlayed?.();
          cleanup();
          controller.error(step.error);
          return;
        }
        controller.enqueue(encoder.encode(step.frame));
        if (index === steps.length) finished = true;
        step.onPlayed?.();
        if (index === steps.length) {
          cleanup();
          controller.close();
        }
      },
      cancel() {
        // The reader gave up. In Node, MSW keeps an unread clone of every mocked response, so this rarely runs there;
        // the abort listener is what stops the stream in practice.
        cleanup();
        disconnect();
      },
    },
    // No read-ahead: a step is produced only when the reader (or MSW's tee) asks for it.
    { highWaterMark: 0 },
  );
}
