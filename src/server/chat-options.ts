import type OpenAI from 'openai';
import type { ChatErrorCode, Usage } from '../core/index.js';
import type { ElevatedRole } from './chat-request.js';
import type { ServerConcurrencyOptions, ServerTokenBudgetOptions } from './client-limits.js';
import type { CorsOptions } from './cors.js';
import type { PriceTable } from './pricing.js';
import type { ServerRateLimitOptions } from './rate-limit.js';
import type { StreamLimits } from './stream-limits.js';
import type { UpstreamFailure } from './upstream-error.js';

/** Token usage of one answer, with its estimated cost when the model has a price. */
export interface UsageReport extends Usage {
  /** The model that answered, as OpenAI reports it (`gpt-4o-mini-2024-07-18`). */
  model: string;
  /** Estimated from the price table; indicative only. Absent for a model without a price. */
  costUsd?: number;
}

/** Which entry point handled a request. */
export type ChatRoute = 'chat' | 'stream' | 'action' | 'history';

/** Which history endpoint handled a request (route `history`). */
export type HistoryOperation = 'list' | 'create' | 'get' | 'rename' | 'delete' | 'messages' | 'send' | 'stop';

/**
 * One structured log event per request, written when the request ends. It never holds message text unless
 * `logContent` is set, and never the API key (upstream messages are redacted).
 */
export interface ChatLogEvent {
  requestId: string;
  route: ChatRoute;
  /** The history endpoint, for route `history` (absent for a path that names none). */
  operation?: HistoryOperation;
  /** The HTTP status answered (a stream that failed after its `200` logs 200 with the error's `code`). */
  status: number;
  latencyMs: number;
  model: string;
  /** The error code, when the request failed. */
  code?: ChatErrorCode;
  usage?: UsageReport;
  finishReason?: string;
  /** What OpenAI said, redacted, when an upstream call failed. */
  upstream?: UpstreamFailure;
  /** The user's last message, only with `logContent: true`. */
  input?: string;
  /** The answer's text as far as it got, only with `logContent: true`. */
  output?: string;
}

/** Where log events go; `console` fits. Calls are synchronous and a throwing logger never breaks a request. */
export interface ChatLogger {
  info(event: ChatLogEvent): void;
  warn(event: ChatLogEvent): void;
  error(event: ChatLogEvent): void;
}

/** Options shared by {@link createChatHandlers} and {@link createChatAction}: the model and how it is called. */
export interface ChatModelOptions {
  /** The OpenAI client to call. @defaultValue one created on first use with `apiKey`, `maxRetries` and `timeoutMs` */
  openai?: OpenAI;
  /** The API key, server-side only. @defaultValue `process.env.OPENAI_API_KEY` */
  apiKey?: string;
  /** The model every request uses; clients can never choose it. */
  model: string;
  /** The system prompt, sent first. @defaultValue none */
  system?: string;
  /** Longest user message, in Unicode code points; longer is 413 `message_too_long`. @defaultValue 4000 */
  maxInputLength?: number;
  /** Most messages sent to the model; older ones are dropped (the conversation goes on, its start falls out of context). @defaultValue 50 */
  maxMessages?: number;
  /** Cap on the answer's length, always sent as `max_completion_tokens`. @defaultValue 1024 */
  maxCompletionTokens?: number;
  /**
   * Bound on the whole upstream call, SDK retries and back-off included, and for streams the whole answer; also the
   * SDK's per-attempt timeout. A stream that runs out of time ends with `event: error` `timeout`. @defaultValue 60_000
   */
  timeoutMs?: number;
  /** Retries the SDK makes before the first byte (5xx, 429, connection errors). Never after a stream has started. @defaultValue 2 */
  maxRetries?: number;
  /** Roles accepted from the client besides `user` and `assistant`, for trusted callers only. @defaultValue [] */
  allowRoles?: readonly ElevatedRole[];
  /** Called with the usage (and estimated cost) of every answer that reports it. */
  onUsage?: (report: UsageReport) => void;
  /** Prices by model, merged over {@link DEFAULT_PRICES} (indicative list prices). */
  prices?: PriceTable;
  /** Receives one {@link ChatLogEvent} per request. @defaultValue none */
  logger?: ChatLogger;
  /** Adds the user's last message and the answer to log events. @defaultValue false */
  logContent?: boolean;
  /** Ids of requests and answers. @defaultValue `crypto.randomUUID` */
  generateId?: () => string;
}

/** Options of {@link createChatHandlers}; the stream bounds of {@link StreamLimits} apply to every streamed answer. */
export interface ChatHandlersOptions extends ChatModelOptions, StreamLimits {
  /** Largest request body; larger is 413, refused from `Content-Length` or while reading. @defaultValue 262_144 (256 KiB) */
  maxBodyBytes?: number;
  /** Interval of `: heartbeat` comments while a stream waits for the model. @defaultValue 15_000 */
  heartbeatMs?: number;
  /** Per-client sliding-window limit, checked before the body is read. @defaultValue none */
  rateLimit?: ServerRateLimitOptions<[request: Request]>;
  /**
   * The most answers one client (the rate limit's key) may have in flight at once, JSON and streamed together (and
   * history sends, per owner). One more is refused at once with 429 `rate_limited` and `Retry-After: 1`, before the
   * body is read and without a model call. A slot is freed when its answer completes, fails, is left by its client, or
   * runs out of time. Mind the default key: without a proxy that sets `X-Forwarded-For`, every client shares the
   * `'anonymous'` key, so pass `rateLimit.key` (or `false` here) on such a deployment.
   * @defaultValue `{ maxConcurrent: 3 }` with an in-memory store; `false` turns it off
   */
  concurrency?: ServerConcurrencyOptions | false;
  /**
   * The tokens one client (the rate limit's key) may spend per window, counted from the usage of its answers, JSON
   * and streamed (an answer cut short, which has no usage, is charged an estimate). Once spent, requests are refused
   * with 429 `rate_limited` and `Retry-After` at the window's end, before any model call; an answer in flight finishes.
   * @defaultValue none
   */
  tokenBudget?: ServerTokenBudgetOptions;
  /** Cross-origin access. @defaultValue none: same-origin only */
  cors?: CorsOptions;
}

/** Options of {@link createChatAction}. */
export interface ChatActionOptions extends ChatModelOptions {
  /**
   * Per-client limit. A server action has no `Request`: pass a `key` that reads the caller (in Next.js,
   * `async () => (await headers()).get('x-forwarded-for') ?? 'anonymous'`). @defaultValue none; without `key`, one shared bucket
   */
  rateLimit?: ServerRateLimitOptions<[]>;
}
