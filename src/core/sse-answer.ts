import { createParser } from 'eventsource-parser';
import { abortable, abortedError } from './abortable.js';
import type { ChatEvent } from './chat-event.js';
import { ChatError, defaultErrorMessage, isChatError, toChatError } from './chat-error.js';
import { eventsOfBatches } from './event-batches.js';
import { mediaType } from './http-post.js';
import { idleTimer } from './idle-timer.js';
import { readStreamEvent, type StreamState } from './stream-payload.js';

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
export function readSseAnswer(
  open: (signal: AbortSignal) => Promise<Response>,
  options: SseStreamOptions,
  signal: AbortSignal,
): AsyncIterableIterator<ChatEvent> {
  // The caller's stop, as a flag: reading `signal.aborted` before every event costs more than the event.
  const turn = { stopped: false };
  return eventsOfBatches(readSseBatches(open, options, signal, turn), () => (turn.stopped ? abortedError(signal.reason) : undefined));
}

/** {@link readSseAnswer}'s events, one batch (never empty) per network chunk; sets `turn.stopped` when `signal` aborts. */
async function* readSseBatches(
  open: (signal: AbortSignal) => Promise<Response>,
  options: SseStreamOptions,
  signal: AbortSignal,
  turn: { stopped: boolean },
): AsyncGenerator<ChatEvent[], void> {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  // Aborted by the caller's signal or by the idle timer. It races the request, then cancels the body's reader, which
  // settles a pending read at once: a stopped turn never waits on a stuck read, and no read needs an abort listener
  // of its own (adding and removing one per chunk cost more than parsing the chunk).
  const stop = new AbortController();
  let stopped = false;
  const onAbort = (): void => {
    turn.stopped = true;
    stop.abort(signal.reason);
  };
  let timedOut = false;
  const idle = idleTimer(idleTimeoutMs, () => {
    timedOut = true;
    stop.abort();
  });
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const release = (): void => {
    // Not awaited: cancelling may wait for the connection to close, and the answer is already complete.
    reader?.cancel().catch(() => undefined);
    reader = undefined;
  };

  try {
    if (signal.aborted) throw abortedError(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    idle.wait();
    const response = await abortable(open(stop.signal), stop.signal).finally(idle.rest);
    if (mediaType(response) !== 'text/event-stream' || response.body === null) {
      response.body?.cancel().catch(() => undefined);
      throw new ChatError('bad_response', defaultErrorMessage('bad_response'), { status: response.status });
    }
    const body = response.body.getReader();
    reader = body;
    // Added after `fetch` added its own, so a stop aborts the connection first, as a stop before the body would.
    stop.signal.addEventListener(
      'abort',
      () => {
        stopped = true;
        release();
      },
      { once: true },
    );

    // The events of the chunk being read; once `ending` is set (the done or error that closes the answer), nothing counts.
    const state: StreamState = { events: [] };
    let sawCallback = false;
    const parser = createParser({
      onEvent: (message) => {
        sawCallback = true;
        if (state.ending === undefined) readStreamEvent(message, state);
      },
      onComment: () => {
        sawCallback = true;
      },
      onError: (error) => {
        // Unknown fields and malformed `retry` values are ignored, as WHATWG says; only the buffer cap is fatal.
        if (error.type === 'max-buffer-size-exceeded') state.ending ??= { kind: 'error', error: tooLarge(maxEventBytes, error) };
      },
      // A backstop in characters for a huge chunk that completes an event and then starts an endless one.
      maxBufferSize: maxEventBytes,
    });
    // eventsource-parser drops "ï»¿" (a BOM decoded as Latin-1) from the start of its first chunk only, so whether
    // it did depended on where the first chunk ended. The decoder below already strips the real BOM; decoded as
    // UTF-8 those are three letters of a field name (WHATWG). An empty first chunk spends that check on nothing.
    parser.feed('');
    // `stream: true` keeps a multi-byte character split across chunks whole; the decoder also strips a leading BOM.
    const decoder = new TextDecoder();
    const streaming = { stream: true };
    let bytesSinceEvent = 0;
    let endsWithCr = false;

    for (;;) {
      let read: ReadableStreamReadResult<Uint8Array>;
      idle.wait();
      try {
        read = await body.read();
      } catch (error) {
        // A read fails when the connection drops (or when a stop aborted it).
        throw stopped ? abortedError(signal.reason) : new ChatError('network', defaultErrorMessage('network'), { cause: error });
      } finally {
        idle.rest();
      }
      // A stop cancels the reader, which ends a pending read as if the body were complete.
      if (stopped) throw abortedError(signal.reason);
      sawCallback = false;
      if (read.done) {
        // A CR alone is a line ending (WHATWG), but the parser holds a chunk's final CR in case an LF follows;
        // at the end of the body none can, so complete it: without this, a stream ending `[DONE]\r\r` is lost.
        const tail = decoder.decode();
        parser.feed(tail === '' && endsWithCr ? '\n' : tail);
      } else {
        const text = decoder.decode(read.value, streaming);
        if (text.length > 0) endsWithCr = text.charCodeAt(text.length - 1) === 13;
        parser.feed(text);
        bytesSinceEvent = sawCallback ? 0 : bytesSinceEvent + read.value.byteLength;
      }

      const { ending, finishReason, events } = state;
      if (ending?.kind === 'done') {
        events.push(finishReason === undefined ? { type: 'done' } : { type: 'done', finishReason });
        // Released before yielding: a caller that stops iterating after `done` must not keep the connection open.
        release();
      }
      if (events.length > 0) {
        state.events = [];
        yield events;
      }
      if (ending?.kind === 'error') throw ending.error;
      if (ending?.kind === 'done') return;
      if (read.done) throw new ChatError('bad_response', 'The answer was cut off before it finished.');
      if (bytesSinceEvent > maxEventBytes) throw tooLarge(maxEventBytes);
    }
  } catch (error) {
    if (timedOut) throw new ChatError('timeout', `The server sent nothing for ${idleTimeoutMs / 1000} seconds.`, { cause: error });
    if (signal.aborted) throw isChatError(error) && error.code === 'aborted' ? error : abortedError(error);
    throw toChatError(error);
  } finally {
    idle.clear();
    signal.removeEventListener('abort', onAbort);
    release();
  }
}

function tooLarge(maxEventBytes: number, cause?: unknown): ChatError {
  return new ChatError('bad_response', `The server sent an event larger than ${maxEventBytes} bytes.`, cause === undefined ? {} : { cause });
}
