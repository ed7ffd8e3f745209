import { abortable, abortedError } from './abortable.js';
import { answerEvents } from './answer-events.js';
import type { ChatEvent } from './chat-event.js';
import { ChatError, defaultErrorMessage, isChatError, toChatError, type ChatErrorCode } from './chat-error.js';
import type { FinishReason, MessagePart, Usage } from './message.js';
import type { ChatRequest, ChatTransport } from './transport.js';

/** The answer a chat function returns: the text, or the message with its parts, plus optional usage and finish reason. */
export interface FunctionTransportAnswer {
  /** Present when the function returns a server action's typed result. */
  ok?: true;
  message: string | { content: string } | { id?: string; parts: MessagePart[] };
  usage?: Usage;
  finishReason?: FinishReason;
}

/** A typed failure, the way a server action reports an expected error without throwing (throwing would hide the message). */
export interface FunctionTransportFailure {
  ok: false;
  error: {
    /** A {@link ChatErrorCode}; any other string becomes `server_error`. */
    code: ChatErrorCode | (string & {});
    message?: string;
    retryAfterMs?: number;
  };
}

/** What a chat function may return: text, an answer, a typed failure, or text deltas as they are produced. */
export type FunctionTransportResult = string | FunctionTransportAnswer | FunctionTransportFailure | AsyncIterable<string>;

/** A function that answers one turn: a Next.js server action, a local model, a test double. */
export type ChatFunction = (
  request: ChatRequest,
  options: { signal: AbortSignal },
) => Promise<FunctionTransportResult> | FunctionTransportResult;

/**
 * A transport that calls a function instead of an endpoint, which is how a Next.js server action plugs in.
 * A thrown `ChatError` passes through; a thrown `TypeError` (fetch failed) becomes `network`; anything else
 * becomes `server_error` with a generic message, the original kept as `cause`, because a server error's message may
 * leak details. Stopping the turn does not wait for the function: a server action cannot be cancelled.
 *
 * @example
 * // app/actions.ts: 'use server'; export async function answer(request: ChatRequest) { return { message: await ask(request) }; }
 * const transport = createFunctionTransport((request) => answer(request));
 * @example
 * const transport = createFunctionTransport(async function* (request) { yield 'Hello'; yield ' world'; });
 */
export function createFunctionTransport(fn: ChatFunction): ChatTransport {
  return { send: (request, { signal }) => callFunction(fn, request, signal) };
}

async function* callFunction(fn: ChatFunction, request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
  try {
    if (signal.aborted) throw abortedError(signal.reason);
    // Wrapped in `then` so a function that throws synchronously is handled like one that rejects.
    const result: unknown = await abortable(Promise.resolve().then(() => fn(request, { signal })), signal);
    const events = isAsyncIterable(result) ? deltasFrom(result, signal) : answerEvents(result);
    for await (const event of events) {
      if (signal.aborted) throw abortedError(signal.reason);
      yield event;
    }
  } catch (error) {
    if (signal.aborted) throw isChatError(error) && error.code === 'aborted' ? error : abortedError(error);
    if (isChatError(error)) throw error;
    if (error instanceof TypeError || (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))) {
      throw toChatError(error);
    }
    throw new ChatError('server_error', defaultErrorMessage('server_error'), { cause: error });
  }
}

async function* deltasFrom(iterable: AsyncIterable<unknown>, signal: AbortSignal): AsyncGenerator<ChatEvent> {
  const iterator = iterable[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const step = await abortable(iterator.next(), signal);
      if (step.done === true) break;
      if (typeof step.value !== 'string') throw new ChatError('bad_response', defaultErrorMessage('bad_response'));
      if (step.value.length > 0) yield { type: 'delta', content: step.value };
    }
    finished = true;
    yield { type: 'done' };
  } finally {
    if (!finished) {
      // Tell the producer to stop, without waiting: one stuck in an await would hold the stopped turn open.
      Promise.resolve()
        .then(() => iterator.return?.())
        .catch(() => undefined);
    }
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}
