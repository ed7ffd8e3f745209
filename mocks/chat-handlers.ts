import { delay, http, HttpResponse, type HttpHandler } from 'msw';
import { defaultErrorMessage, type FinishReason, type Usage } from '../src/core/index.js';
import { parseChatRequest, type ValidChatRequest } from './chat-request.js';
import { errorResponse, faultResponse, isServerErrorCode, type ServerErrorCode } from './error-response.js';
import { countTokens, replyFor, tokenize } from './replies.js';
import { createSseStream, SSE_DONE, SSE_HEADERS, sseData, sseEvent, type SseStep } from './sse.js';

/** Faults that break a stream after its `200` (they leave `POST /api/chat` answering normally). */
export type StreamFault = 'stream_cut' | 'stream_truncated' | 'malformed_chunk' | 'error_event' | 'stream_stall';

/**
 * A failure the handlers play instead of a normal answer:
 * - a {@link ServerErrorCode}: that code's status and `{ error: { code, message } }` body, on both endpoints;
 * - `'network'`: no response at all (`fetch` rejects with a `TypeError`);
 * - `'bad_response'`: a `200` HTML page, as a login proxy or captive portal sends;
 * - `'stream_cut'`: some deltas, then the connection breaks (the reader rejects with a `TypeError`);
 * - `'stream_truncated'`: some deltas, then the stream closes cleanly without `[DONE]`;
 * - `'malformed_chunk'`: a `data:` frame of invalid JSON in the middle of an otherwise normal stream;
 * - `'error_event'`: some deltas, then `event: error` with code `upstream_unavailable`, and no `[DONE]`;
 * - `'stream_stall'`: some deltas, then silence with the connection held open until the client aborts (what an
 *   idle timeout is for; also a streaming state that holds still for a screenshot).
 *
 * A slow first byte is not a fault: use `latencyMs`.
 * @see docs/protocol.md
 */
export type ChatFault = ServerErrorCode | 'network' | 'bad_response' | StreamFault;

/** Options of {@link createChatHandlers}. */
export interface ChatHandlerOptions {
  /**
   * Origin (and optional path prefix) the endpoints live under. The default `'*'` matches `/api/chat` on any origin,
   * in Node (where MSW cannot resolve a relative path such as `/api/chat`) and in the browser alike.
   * @defaultValue `'*'`
   */
  baseUrl?: string;
  /**
   * Wait before the response headers, in ms. `'infinite'` keeps the request pending until it is aborted, for
   * "sending" states in stories.
   * @defaultValue 0
   */
  latencyMs?: number | 'infinite';
  /**
   * Streaming speed. `Infinity` or `0` sends every token at once. `POST /api/chat` also waits as long as the whole
   * answer would take to stream, as a non-streaming model does.
   * @defaultValue 40
   */
  tokensPerSecond?: number;
  /** The answer: fixed text, or a function of the last user message. @defaultValue {@link replyFor} */
  reply?: string | ((prompt: string) => string);
  /** A failure to play instead of a normal answer, checked before the request is validated. @defaultValue none */
  fault?: ChatFault;
  /** For stream faults: how many tokens arrive before the fault. @defaultValue half the answer's tokens, rounded down */
  faultAfterTokens?: number;
  /** For `fault: 'rate_limited'`: the `Retry-After` value in seconds. @defaultValue 30 */
  retryAfterSeconds?: number;
  /** Whether to report token usage (counted with {@link countTokens}). @defaultValue true */
  usage?: boolean;
  /** Why the answer ended, sent in the JSON body and in the stream's last frame before `[DONE]`. @defaultValue 'stop' */
  finishReason?: FinishReason;
  /** Longest user message accepted, in code points; longer is 413 `message_too_long`. @defaultValue 4000 */
  maxInputLength?: number;
}

/** The two protocol endpoints, keyed so a story or test can override one: `{ ...createChatHandlers(), chat: other }`. */
export interface ChatHandlers {
  /** `POST {baseUrl}/api/chat`: the whole answer as JSON. */
  chat: HttpHandler;
  /** `POST {baseUrl}/api/chat/stream`: the answer as server-sent events. */
  stream: HttpHandler;
}

/** What the mock answers to a valid request, computed once for both endpoints. */
interface Answer {
  id: string;
  tokens: string[];
  text: string;
  usage?: Usage;
  finishReason: FinishReason;
}

function answerFor(request: ValidChatRequest, options: ChatHandlerOptions): Answer {
  const { reply = replyFor } = options;
  const text = typeof reply === 'string' ? reply : reply(request.prompt);
  const last = request.messages[request.messages.length - 1];
  // Derived from the request, never random, so a replayed request gets the same id.
  const id = last?.id === undefined ? `reply-${request.messages.length}` : `${last.id}-reply`;
  const tokens = tokenize(text);
  let usage: Usage | undefined;
  if (options.usage ?? true) {
    const promptTokens = request.messages.reduce((sum, message) => sum + countTokens(message.text), 0);
    usage = { promptTokens, completionTokens: tokens.length, totalTokens: promptTokens + tokens.length };
  }
  return { id, tokens, text, finishReason: options.finishReason ?? 'stop', ...(usage ? { usage } : {}) };
}

function tokenIntervalMs(options: ChatHandlerOptions): number {
  const rate = options.tokensPerSecond ?? 40;
  return rate > 0 && Number.isFinite(rate) ? 1000 / rate : 0;
}

/** The scripted frames of one streamed answer, with the fault (if any) spliced in. */
function streamSteps(answer: Answer, fault: StreamFault | undefined, options: ChatHandlerOptions): SseStep[] {
  const afterMs = tokenIntervalMs(options);
  const deltas = answer.tokens.map((content): SseStep => ({ afterMs, frame: sseData({ content }) }));
  const cutAt = Math.min(
    Math.max(0, Math.floor(options.faultAfterTokens ?? answer.tokens.length / 2)),
    answer.tokens.length,
  );
  const before = deltas.slice(0, cutAt);
  switch (fault) {
    case 'stream_cut':
      // undici's message when a socket closes mid-body; the client sees it as a network failure.
      return [...before, { afterMs, error: new TypeError('terminated') }];
    case 'stream_truncated':
      return before;
    case 'stream_stall':
      return [...before, { afterMs: Number.POSITIVE_INFINITY, frame: '' }];
    case 'error_event':
      return [
        ...before,
        { afterMs, frame: sseEvent('error', { code: 'upstream_unavailable', message: defaultErrorMessage('upstream_unavailable') }) },
      ];
    case 'malformed_chunk':
      return [...before, { afterMs, frame: 'data: {"content": "unterminated\n\n' }, ...deltas.slice(cutAt), ...ending(answer)];
    case undefined:
      return [...deltas, ...ending(answer)];
  }
}

/** The frames after the last delta: usage and finish reason in one frame (the protocol allows both shapes), then `[DONE]`. */
function ending(answer: Answer): SseStep[] {
  const trailer = answer.usage
    ? { usage: answer.usage, finishReason: answer.finishReason }
    : { finishReason: answer.finishReason };
  return [
    { afterMs: 0, frame: sseData(trailer) },
    { afterMs: 0, frame: SSE_DONE },
  ];
}

function isStreamFault(fault: ChatFault | undefined): fault is StreamFault {
  return (
    fault === 'stream_cut' ||
    fault === 'stream_truncated' ||
    fault === 'malformed_chunk' ||
    fault === 'error_event' ||
    fault === 'stream_stall'
  );
}

/**
 * Runs the steps every request shares: latency, then a non-stream fault, then validation. Returns the response to
 * send instead of an answer, or the validated request.
 */
async function prepare(request: Request, options: ChatHandlerOptions): Promise<Response | ValidChatRequest> {
  const { latencyMs = 0, fault } = options;
  if (latencyMs === 'infinite') await delay('infinite');
  else if (latencyMs > 0) await delay(latencyMs);

  if (fault === 'network' || fault === 'bad_response' || isServerErrorCode(fault)) {
    return faultResponse(fault, options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds });
  }

  const body: unknown = await request.json().catch(() => undefined);
  const result = parseChatRequest(body, { maxInputLength: options.maxInputLength ?? 4000 });
  if (!result.ok) return errorResponse(result.problem.code, { message: result.problem.message });
  return result.request;
}

/**
 * MSW handlers that implement docs/protocol.md: validation, deterministic answers, realistic streaming, and
 * scripted faults. The same handlers serve Node tests and Storybook.
 *
 * @example
 * server.use(createChatHandlers({ fault: 'rate_limited', retryAfterSeconds: 5 }).stream);
 * @example
 * // Storybook: parameters.msw.handlers = { chat: Object.values(createChatHandlers({ latencyMs: 'infinite' })) }
 */
export function createChatHandlers(options: ChatHandlerOptions = {}): ChatHandlers {
  const base = (options.baseUrl ?? '*').replace(/\/+$/, '');

  const chat = http.post(`${base}/api/chat`, async ({ request }) => {
    const prepared = await prepare(request, options);
    if (prepared instanceof Response) return prepared;
    const answer = answerFor(prepared, options);
    const generationMs = answer.tokens.length * tokenIntervalMs(options);
    if (generationMs > 0) await delay(generationMs);
    return HttpResponse.json({
      message: { id: answer.id, role: 'assistant', parts: [{ type: 'text', text: answer.text }] },
      ...(answer.usage ? { usage: answer.usage } : {}),
      finishReason: answer.finishReason,
    });
  });

  const stream = http.post(`${base}/api/chat/stream`, async ({ request }) => {
    const prepared = await prepare(request, options);
    if (prepared instanceof Response) return prepared;
    const fault = isStreamFault(options.fault) ? options.fault : undefined;
    const steps = streamSteps(answerFor(prepared, options), fault, options);
    // The request itself, not request.signal: holding it keeps the abort link alive (see createSseStream).
    return new HttpResponse(createSseStream(steps, request), { headers: SSE_HEADERS });
  });

  return { chat, stream };
}

/**
 * The protocol endpoints with default options, on any origin: spread into `setupServer` or `setupWorker`.
 *
 * @example
 * const server = setupServer(...chatHandlers);
 */
export const chatHandlers: HttpHandler[] = Object.values(createChatHandlers());
