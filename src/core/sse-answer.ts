import { createParser } from 'eventsource-parser';
import { abortable, abortedError } from './abortable.js';
import type { ChatEvent } from './chat-event.js';
import { ChatError, isChatError, toChatError } from './chat-error.js';
import { defaultErrorMessage } from './error-from-response.js';
import { mediaType } from './http-post.js';
import type { FinishReason } from './message.js';
import { readStreamEvent, type StreamStep } from './stream-payload.js';

/** How a server-sent event answer is read: shared by {@link createSseTransport} and the history transport. */
export interface SseStreamOptions {
  /**
   * How long the server may stay silent, in milliseconds, before the turn fails with `timeout`. Every byte resets
   * it, heartbeat comments included; it also bounds the wait for the response headers. @defaultValue 45_000
   */
  idleTimeoutMs?: number;
  /**
   * The most bytes that may arrive without completing an event or a comment before the turn fails with
   * `bad_response`, so a broken or hostile stream cannot make the browser buffer without limit. @defaultValue 1_048_576
   */
  maxEventBytes?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 45_000;
const DEFAULT_MAX_EVENT_BYTES = 1_048_576;

/**
 * Opens a request with `open` (given the signal to pass to `fetch`) and reads its answer as a server-sent event
 * stream, yielding text as it arrives. It ends at `data: [DONE]` and releases the connection at once; a stream that
 * ends without it fails with `bad_response`, keeping what was already yielded. Every failure is a `ChatError`.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export async function* readSseAnswer(
  open: (signal: AbortSignal) => Promise<Response>,
  options: SseStreamOptions,
  signal: AbortSignal,
): AsyncGenerator<ChatEvent> {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  // Aborted by the caller's signal or by the idle timer; every await races it, so neither waits on a stuck read.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(signal.reason);
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const waitForServer = async <T>(promise: () => Promise<T>): Promise<T> => {
    timer = setTimeout(() => {
      timedOut = true;
      stop.abort();
    }, idleTimeoutMs);
    try {
      return await abortable(promise(), stop.signal);
    } finally {
      // Time the caller spends between `next()` calls is not the server's silence.
      clearTimeout(timer);
    }
  };
  const release = (): void => {
    // Not awaited: cancelling may wait for the connection to close, and the answer is already complete.
    reader?.cancel().catch(() => undefined);
    reader = undefined;
  };

  try {
    if (signal.aborted) throw abortedError(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const response = await waitForServer(() => open(stop.signal));
    if (mediaType(response) !== 'text/event-stream' || response.body === null) {
      response.body?.cancel().catch(() => undefined);
      throw new ChatError('bad_response', defaultErrorMessage('bad_response'), { status: response.status });
    }
    reader = response.body.getReader();

    const steps: StreamStep[] = [];
    let sawCallback = false;
    const parser = createParser({
      onEvent: (message) => {
        sawCallback = true;
        const step = readStreamEvent(message);
        if (step !== undefined) steps.push(step);
      },
      onComment: () => {
        sawCallback = true;
      },
      onError: (error) => {
        // Unknown fields and malformed `retry` values are ignored, as WHATWG says; only the buffer cap is fatal.
        if (error.type === 'max-buffer-size-exceeded') steps.push({ kind: 'error', error: tooLarge(maxEventBytes, error) });
      },
      // A backstop in characters for a huge chunk that completes an event and then starts an endless one.
      maxBufferSize: maxEventBytes,
    });
    // `stream: true` keeps a multi-byte character split across chunks whole; the decoder also strips a leading BOM.
    const decoder = new TextDecoder();
    let bytesSinceEvent = 0;
    let finishReason: FinishReason | undefined;

    let endsWithCr = false;
    let ended = false;
    while (!ended) {
      const current = reader;
      const { done, value } = await waitForServer(() => current.read()).catch((error: unknown) => {
        // A read fails when the connection drops; a stop surfaces as the race's `aborted`, remapped below.
        throw stop.signal.aborted ? error : new ChatError('network', defaultErrorMessage('network'), { cause: error });
      });
      sawCallback = false;
      if (done) {
        ended = true;
        // A CR alone is a line ending (WHATWG), but the parser holds a chunk's final CR in case an LF follows;
        // at the end of the body none can, so complete it: without this, a stream ending `[DONE]\r\r` is lost.
        const tail = decoder.decode();
        parser.feed(tail === '' && endsWithCr ? '\n' : tail);
      } else {
        const text = decoder.decode(value, { stream: true });
        if (text.length > 0) endsWithCr = text.endsWith('\r');
        parser.feed(text);
        bytesSinceEvent = sawCallback ? 0 : bytesSinceEvent + value.byteLength;
      }
      for (const step of steps.splice(0)) {
        if (step.kind === 'error') throw step.error;
        if (step.kind === 'done') {
          // Released before yielding: a caller that stops iterating after `done` must not keep the connection open.
          release();
          if (stop.signal.aborted) throw abortedError(signal.reason);
          yield finishReason === undefined ? { type: 'done' } : { type: 'done', finishReason };
          return;
        }
        if (step.finishReason !== undefined) finishReason = step.finishReason;
        for (const event of step.events) {
          if (stop.signal.aborted) throw abortedError(signal.reason);
          yield event;
        }
      }
      if (bytesSinceEvent > maxEventBytes) throw tooLarge(maxEventBytes);
    }
    throw new ChatError('bad_response', 'The answer was cut off before it finished.');
  } catch (error) {
    if (timedOut) throw new ChatError('timeout', `The server sent nothing for ${idleTimeoutMs / 1000} seconds.`, { cause: error });
    if (signal.aborted) throw isChatError(error) && error.code === 'aborted' ? error : abortedError(error);
    throw toChatError(error);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    release();
  }
}

function tooLarge(maxEventBytes: number, cause?: unknown): ChatError {
  return new ChatError('bad_response', `The server sent an event larger than ${maxEventBytes} bytes.`, cause === undefined ? {} : { cause });
}
