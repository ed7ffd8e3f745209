import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { ChatError, parseUsage, type FinishReason, type Usage } from '../core/index.js';
import { sdkRequestOptions, type CompletionCall } from './completion.js';
import { createDeadline, raceSignal, type Deadline } from './deadline.js';
import { errorResponse, SECURITY_HEADERS, SSE_HEADERS } from './http-response.js';
import { dataFrame, DONE_FRAME, errorFrame, HEARTBEAT_FRAME } from './sse-frames.js';
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
  /** After each delta is forwarded. A throw ends the stream with `event: error`. */
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
  | { kind: 'ready'; stream: AsyncIterable<ChatCompletionChunk> }
  | { kind: 'waiting' }
  | { kind: 'failed'; error: unknown };

/** Waits for the upstream's response, at most `ms`: long enough that most failures still get a real status. */
function firstStep(upstream: Promise<AsyncIterable<ChatCompletionChunk>>, ms: number, signal: AbortSignal): Promise<FirstStep> {
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
      (stream) => settle({ kind: 'ready', stream }),
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
 * - Before the `200`: the SDK connects and retries (per `maxRetries`). A failure in that phase is answered as a
 *   normal HTTP error (429 with `Retry-After`, 502, 504…). If OpenAI has not answered within `heartbeatMs`, the `200`
 *   is sent with a `: heartbeat` so the client's idle timer keeps waiting; a later failure becomes `event: error`.
 * - After the `200`: each delta is a `data: {"content"}` frame; then one `{ usage, finishReason }` frame and
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
  const upstream = Promise.resolve().then(() =>
    client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } }, sdkRequestOptions(options, deadline.signal)),
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
  void pump(options, first.kind === 'ready' ? Promise.resolve(first.stream) : upstream, sink, deadline).finally(settled);
  return new Response(sink.body, { status: 200, headers });
}

async function pump(options: StreamCompletionOptions, upstream: Promise<AsyncIterable<ChatCompletionChunk>>, sink: Sink, deadline: Deadline): Promise<void> {
  let text = '';
  let usage: Usage | undefined;
  let finishReason: FinishReason | undefined;
  let model = options.params.model;
  try {
    const chunks = await raceSignal(upstream, deadline.signal);
    for await (const chunk of chunks) {
      if (typeof chunk.model === 'string' && chunk.model.length > 0) model = chunk.model;
      usage = parseUsage(chunk.usage) ?? usage;
      // With n > 1 OpenAI interleaves other choices; the protocol carries one answer.
      const choice = chunk.choices.find((item) => item.index === 0);
      const content = choice?.delta.content;
      // A delta read after the client left (already buffered upstream) was never forwarded: it is not the answer.
      if (typeof content === 'string' && content.length > 0 && sink.write(dataFrame({ content }))) {
        text += content;
        await options.onDelta?.(content);
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      // The client reads slower than the model writes: stop reading the model until it catches up.
      const room = sink.room();
      if (room !== undefined) await raceSignal(room, deadline.signal);
    }
    // The SDK ends an aborted stream quietly; the deadline says whether it was the clock or the client.
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
    deadline.dispose();
    sink.close();
  }
}
