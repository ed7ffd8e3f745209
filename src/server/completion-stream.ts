import { ChatError, parseUsage, type FinishReason, type Usage } from '../core/index.js';
import { readCompletionChunks, type CompletionChunkReader } from './completion-chunks.js';
import { sdkRequestOptions, type CompletionCall } from './completion.js';
import { createDeadline, raceSignal, type Deadline } from './deadline.js';
import { errorResponse, SECURITY_HEADERS, SSE_HEADERS } from './http-response.js';
import { contentFrames, dataFrame, DONE_FRAME, errorFrame, HEARTBEAT_FRAME } from './sse-frames.js';
import { createSink, type Sink } from './sse-sink.js';
import { resolveStreamLimits, type StreamLimits } from './stream-limits.js';
import { chatErrorFromUpstream } from './upstream-error.js';

/** How a streamed answer ended well. */
export interface StreamFinish {
  /** Exactly the text forwarded to the client. */
  text: string;
  usage?: Usage;
  finishReason: FinishReason;
  /** The model that answered. */
  model: string;
}

/** Options of {@link streamCompletion}: the upstream call, the response, and hooks for whoever stores the answer. */
export interface StreamCompletionOptions extends CompletionCall, StreamLimits {
  /** The incoming request: its abort (the client left) aborts the upstream at once. Held until the stream ends. */
  request: { readonly signal: AbortSignal };
  /** Interval of `: heartbeat` comments while the model is silent; also how long the response is held for a fast failure. */
  heartbeatMs: number;
  /** Extra headers for the `200` and for an error answer (CORS, rate limit, request id). */
  headers?: Headers;
  /** `data:` payloads written first, once the `200` is committed (a history endpoint's `{ messageId }`). */
  prelude?: readonly object[];
  /**
   * After each delta is forwarded (the deltas of one network read are forwarded together, then reported in order).
   * A throw ends the stream with `event: error` once the deltas forwarded with it are reported.
   */
  onDelta?: (text: string) => void | Promise<void>;
  /** Before the final usage frame and `[DONE]` are written. A throw ends the stream with `event: error` instead. */
  onFinish?: (finish: StreamFinish) => void | Promise<void>;
  /**
   * Once, when the answer failed: before the `200` (`responded` false: an HTTP error is answered, nothing was
   * forwarded), after it (`event: error` was written after `forwardedText`), or because the client went away (code
   * `aborted`, nothing more written).
   */
  onError?: (error: ChatError, forwardedText: string, responded: boolean) => void | Promise<void>;
  /**
   * Once, when the answer is over for good: the upstream request ended and the response body was read to its end,
   * errored or cancelled (or an HTTP error was answered). Release per-answer resources here, a concurrency slot say.
   */
  onSettled?: () => void;
}

type FirstStep =
  | { kind: 'ready'; response: Response }
  | { kind: 'waiting' }
  | { kind: 'failed'; error: unknown };

/** Waits for the upstream's response, at most `ms`: long enough that most failures still get a real status. */
function firstStep(upstream: Promise<Response>, ms: number, signal: AbortSignal): Promise<FirstStep> {
  return new Promise((resolve) => {
    const settle = (step: FirstStep): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(step);
    };
    const onAbort = (): void => settle({ kind: 'failed', error: signal.reason });
    const timer = setTimeout(() => settle({ kind: 'waiting' }), ms);
    signal.addEventListener('abort', onAbort, { once: true });
    upstream.then(
      (response) => settle({ kind: 'ready', response }),
      (error: unknown) => settle({ kind: 'failed', error }),
    );
  });
}

/** Calls `hook` once, after `count` calls of the returned function; a throw is swallowed. */
function afterCalls(count: number, hook: (() => void) | undefined): () => void {
  let left = count;
  return () => {
    left -= 1;
    if (left !== 0) return;
    try {
      hook?.();
    } catch {
      // Releasing resources must not break the answer.
    }
  };
}

async function quietly(hook: () => void | Promise<void>): Promise<void> {
  try {
    await hook();
  } catch {
    // A failing error hook must not hide the error being reported.
  }
}

/**
 * Streams one chat completion from OpenAI to the client as the protocol's SSE answer, and returns the `Response`.
 *
 * - Before the `200`: the SDK connects and retries (per `maxRetries`); the body is read here, not by the SDK's
 *   `Stream` (see `readCompletionChunks`). A failure in that phase is answered as a
 *   normal HTTP error (429 with `Retry-After`, 502, 504…). If OpenAI has not answered within `heartbeatMs`, the `200`
 *   is sent with a `: heartbeat` so the client's idle timer keeps waiting; a later failure becomes `event: error`.
 * - After the `200`: each delta is a `data: {"content"}` frame (the frames of one upstream read written at once); then one `{ usage, finishReason }` frame and
 *   `data: [DONE]`. A failure is `event: error` and no `[DONE]`, never a retry (the text already sent would be
 *   duplicated). An upstream stream that ends without a finish reason was truncated: `event: error` `bad_response`.
 * - A comment `: heartbeat` is written after every `heartbeatMs` of silence.
 * - The client leaving (the request's signal, or the body being cancelled) aborts the upstream request at once.
 * - Backpressure: the body queues at most `maxBufferedBytes`; while it is full the model's stream is not read (which
 *   pauses it). A client that takes no byte for `writeIdleTimeoutMs` is disconnected and the upstream aborted.
 * - `timeoutMs` bounds the model's whole answer, and `maxStreamMs` the whole response (`event: error` `timeout`).
 *
 * @example
 * return streamCompletion({ client, params, request, timeoutMs: 60_000, heartbeatMs: 15_000, secrets,
 *   onDelta: (text) => store.append(id, text), onFinish: (finish) => store.complete(id, finish),
 *   onError: (error, text) => store.fail(id, text, error) });
 */
export async function streamCompletion(options: StreamCompletionOptions): Promise<Response> {
  const { client, params, heartbeatMs } = options;
  const limits = resolveStreamLimits(options);
  const startedAt = Date.now();
  const deadline = createDeadline(Math.min(options.timeoutMs, limits.maxStreamMs), options.request);
  // The raw response: the SDK still makes the request (auth, retries, a non-2xx as a typed APIError, the abort).
  const upstream = Promise.resolve().then(() =>
    client.chat.completions
      .create({ ...params, stream: true, stream_options: { include_usage: true } }, sdkRequestOptions(options, deadline.signal))
      .asResponse(),
  );
  // Observed below, or abandoned after a deadline: never an unhandled rejection.
  upstream.catch(() => undefined);

  const first = await firstStep(upstream, heartbeatMs, deadline.signal);
  if (first.kind === 'failed') {
    const error = chatErrorFromUpstream(first.error, { timedOut: deadline.timedOut, clientGone: deadline.clientGone, secrets: options.secrets });
    deadline.dispose();
    await quietly(() => options.onError?.(error, '', false));
    afterCalls(1, options.onSettled)();
    return errorResponse(error, new Headers(options.headers));
  }

  const headers = new Headers(options.headers);
  for (const [name, value] of Object.entries({ ...SECURITY_HEADERS, ...SSE_HEADERS })) headers.set(name, value);
  // The answer is over when both the upstream side (pump) and the client side (body) are.
  const settled = afterCalls(2, options.onSettled);
  const sink = createSink({
    heartbeatMs,
    maxBufferedBytes: limits.maxBufferedBytes,
    writeIdleTimeoutMs: limits.writeIdleTimeoutMs,
    endBy: startedAt + limits.maxStreamMs,
    signal: deadline.signal,
    // The client went away: stop paying for tokens nobody reads.
    onCancel: () => deadline.abort(),
    onStall: (error) => deadline.end(error),
    onSettled: settled,
  });
  for (const payload of options.prelude ?? []) sink.write(dataFrame(payload));
  if (first.kind === 'waiting') sink.write(HEARTBEAT_FRAME);
  void pump(options, first.kind === 'ready' ? Promise.resolve(first.response) : upstream, sink, deadline).finally(settled);
  return new Response(sink.body, { status: 200, headers });
}

/** Calls `onDelta` for each content in order, all of them even when one throws (they were all forwarded); rethrows the first throw. */
async function report(onDelta: (text: string) => void | Promise<void>, contents: readonly string[]): Promise<void> {
  let failed = false;
  let failure: unknown;
  for (const content of contents) {
    try {
      await onDelta(content);
    } catch (error) {
      if (!failed) failure = error;
      failed = true;
    }
  }
  if (failed) throw failure;
}

async function pump(options: StreamCompletionOptions, upstream: Promise<Response>, sink: Sink, deadline: Deadline): Promise<void> {
  let text = '';
  let usage: Usage | undefined;
  let finishReason: FinishReason | undefined;
  let model = options.params.model;
  let chunks: CompletionChunkReader | undefined;
  try {
    chunks = readCompletionChunks(await raceSignal(upstream, deadline.signal), deadline.signal);
    for (let batch = await chunks.read(); batch !== undefined; batch = await chunks.read()) {
      if (batch.model !== undefined) model = batch.model;
      usage = parseUsage(batch.usage) ?? usage;
      const { contents } = batch;
      // Deltas read after the client left (already buffered upstream) were never forwarded: they are not the answer.
      if (contents.length > 0 && sink.write(contentFrames(contents))) {
        for (const content of contents) text += content;
        if (options.onDelta !== undefined) await report(options.onDelta, contents);
      }
      if (batch.finishReason !== undefined) finishReason = batch.finishReason;
      // The client reads slower than the model writes: stop reading the model until it catches up.
      const room = sink.room();
      if (room !== undefined) await raceSignal(room, deadline.signal);
    }
    // The reader ends quietly once the deadline aborted; the deadline says whether it was the clock or the client.
    if (deadline.signal.aborted) throw deadline.signal.reason;
    if (finishReason === undefined) throw new ChatError('bad_response', 'The answer was cut off before it finished.', { status: 502 });
    const finish: StreamFinish = { text, finishReason, model, ...(usage === undefined ? {} : { usage }) };
    await options.onFinish?.(finish);
    sink.write(dataFrame({ ...(usage === undefined ? {} : { usage }), finishReason }));
    sink.write(DONE_FRAME);
  } catch (caught) {
    const error =
      deadline.stoppedBy ?? chatErrorFromUpstream(caught, { timedOut: deadline.timedOut, clientGone: deadline.clientGone, secrets: options.secrets });
    if (!deadline.clientGone) sink.write(errorFrame(error));
    await quietly(() => options.onError?.(error, text, true));
  } finally {
    // Reading stopped early (a hook threw, the client left): release the upstream connection.
    chunks?.cancel();
    deadline.dispose();
    sink.close();
  }
}
