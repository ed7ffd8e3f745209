import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OpenAIError,
} from 'openai';
import { ChatError, defaultErrorMessage, isChatError, parseRetryAfter, type ChatErrorCode } from '../core/index.js';
import { redactSecrets } from './redact.js';

/**
 * What the server keeps of an upstream failure, as the `cause` of the {@link ChatError} it maps to and in log events:
 * the SDK error's class, status, OpenAI's `type`/`code`, its request id, and its message with every secret
 * redacted. Never the SDK error itself: OpenAI echoes a rejected API key in its message, and a serialised `cause`
 * would carry it into logs.
 */
export interface UpstreamFailure {
  name: string;
  status?: number;
  type?: string;
  code?: string;
  /** OpenAI's `x-request-id`, for a support ticket. */
  requestId?: string;
  /** The upstream message, secrets redacted, for operators only (never sent to the browser). */
  message?: string;
  /** What an operator should check, for failures that are the server's configuration. */
  hint?: string;
}

/** Why the upstream call ended, besides the error itself. */
export interface UpstreamContext {
  /** The request's deadline fired. */
  timedOut: boolean;
  /** The client disconnected or stopped. */
  clientGone: boolean;
  /** Strings to redact from anything kept (the API key). */
  secrets: readonly string[];
}

const HINTS: Partial<Record<number, string>> = {
  401: 'OpenAI rejected the API key: check OPENAI_API_KEY (or the apiKey option).',
  403: 'The API key may not use this model or endpoint: check the project and model permissions.',
  404: 'OpenAI does not know this model, or the key cannot see it: check the model option.',
};

function describe(error: unknown, secrets: readonly string[]): UpstreamFailure {
  if (!(error instanceof Error)) return { name: typeof error };
  const failure: UpstreamFailure = { name: error.constructor.name || error.name, message: redactSecrets(error.message, secrets) };
  if (error instanceof APIError) {
    if (typeof error.status === 'number') failure.status = error.status;
    if (typeof error.type === 'string') failure.type = error.type;
    if (typeof error.code === 'string') failure.code = error.code;
    if (typeof error.requestID === 'string') failure.requestId = error.requestID;
    const hint = typeof error.status === 'number' ? HINTS[error.status] : undefined;
    if (hint !== undefined) failure.hint = hint;
  } else if (error instanceof OpenAIError) {
    failure.hint = 'The OpenAI client could not be created: check OPENAI_API_KEY.';
  }
  return failure;
}

function mapped(code: ChatErrorCode, status: number, cause: UpstreamFailure, extra: { message?: string; retryAfterMs?: number } = {}): ChatError {
  return new ChatError(code, extra.message ?? defaultErrorMessage(code), {
    status,
    cause,
    ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
  });
}

/** The protocol code and status an upstream HTTP status maps to. @see docs/protocol.md, "Errors" */
function fromStatus(error: APIError, cause: UpstreamFailure): ChatError {
  const status = error.status ?? 0;
  const retryAfterMs = error.headers === undefined ? undefined : parseRetryAfter(error.headers);
  const withRetry = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (status === 400 && error.code === 'context_length_exceeded') {
    return mapped('message_too_long', 413, cause, { message: 'The conversation is too long for the model. Start a new one.' });
  }
  if (status === 400 || status === 422) {
    return mapped('invalid_input', 400, cause, { message: 'The AI service could not process this request.' });
  }
  if (status === 408) return mapped('timeout', 504, cause);
  if (status === 413) return mapped('message_too_long', 413, cause);
  if (status === 429) {
    // An exhausted quota is a billing problem: waiting does not help, and the user cannot fix it.
    if (error.code === 'insufficient_quota') return mapped('upstream_unavailable', 503, { ...cause, hint: 'The OpenAI account is out of quota.' });
    return mapped('rate_limited', 429, cause, withRetry);
  }
  if (status === 503) return mapped('upstream_unavailable', 503, cause, withRetry);
  // 401/403/404 and anything else: the server's configuration or OpenAI's outage, never the user's to fix.
  return mapped('upstream_unavailable', 502, cause);
}

/**
 * Maps whatever an upstream call threw to the {@link ChatError} the client receives: a safe message, the protocol
 * status, `retryAfterMs` from OpenAI's `retry-after-ms` / `retry-after`, and a redacted {@link UpstreamFailure} as
 * `cause`. 400 → 400 `invalid_input` (`context_length_exceeded` → 413), 401/403/404 → 502 `upstream_unavailable`
 * (the browser must not learn the server's key is wrong), 429 → 429 `rate_limited`, 503 → 503, other 5xx and
 * connection failures → 502, timeouts → 504 `timeout`, a client that went away → `aborted`. A `ChatError` passes
 * through unchanged.
 *
 * @example
 * catch (error) { const chatError = chatErrorFromUpstream(error, { timedOut, clientGone, secrets: [apiKey] }); }
 */
export function chatErrorFromUpstream(error: unknown, context: UpstreamContext): ChatError {
  if (context.clientGone) return new ChatError('aborted', defaultErrorMessage('aborted'), { status: 499 });
  if (context.timedOut) return new ChatError('timeout', defaultErrorMessage('timeout'), { status: 504 });
  if (isChatError(error)) return error;
  const cause = describe(error, context.secrets);
  if (error instanceof APIUserAbortError) return mapped('aborted', 499, cause);
  if (error instanceof APIConnectionTimeoutError) return mapped('timeout', 504, cause);
  if (error instanceof APIConnectionError) return mapped('upstream_unavailable', 502, cause);
  if (error instanceof APIError) return fromStatus(error, cause);
  if (error instanceof OpenAIError) return mapped('server_error', 500, cause);
  // The stream reader throws JSON.parse's SyntaxError for a malformed chunk, and undici's TypeError for a cut stream.
  if (error instanceof SyntaxError) return mapped('bad_response', 502, cause, { message: 'The AI service sent an answer the server could not read.' });
  if (error instanceof TypeError) return mapped('upstream_unavailable', 502, cause);
  return mapped('server_error', 500, cause);
}

/** The redacted upstream details of a mapped error, when it has them. */
export function upstreamFailureOf(error: ChatError): UpstreamFailure | undefined {
  const cause: unknown = error.cause;
  return typeof cause === 'object' && cause !== null && typeof (cause as { name?: unknown }).name === 'string'
    ? (cause as UpstreamFailure)
    : undefined;
}

/**
 * What a handler answers for anything it caught outside an upstream call: a `ChatError` as is, `aborted` (499)
 * when the client already left (its body stopped mid-read, say), else a generic 500 `server_error` that keeps only
 * the error's name, never its message.
 */
export function unexpectedChatError(caught: unknown, clientGone = false): ChatError {
  if (isChatError(caught)) return caught;
  if (clientGone) return new ChatError('aborted', defaultErrorMessage('aborted'), { status: 499 });
  return new ChatError('server_error', defaultErrorMessage('server_error'), {
    status: 500,
    cause: { name: caught instanceof Error ? caught.name : typeof caught },
  });
}
