import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import { ChatError, parseUsage, type FinishReason, type Usage } from '../core/index.js';
import { createDeadline, raceSignal } from './deadline.js';
import { chatErrorFromUpstream } from './upstream-error.js';

/** The body of a chat completion request, without the streaming switches (each call sets its own). */
export type CompletionParams = Omit<ChatCompletionCreateParamsBase, 'stream' | 'stream_options'>;

/** How to make one upstream call. */
export interface CompletionCall {
  client: OpenAI;
  params: CompletionParams;
  /** Bound on the whole call, SDK retries included; also the SDK's per-attempt timeout. */
  timeoutMs: number;
  /** Per-request override of the client's retries; `undefined` keeps the client's. */
  maxRetries?: number;
  /** The incoming request (or anything with a signal): when it aborts, the upstream call is aborted at once. */
  request?: { readonly signal: AbortSignal };
  /** Strings to redact from errors (the API key). */
  secrets: readonly string[];
}

/** A whole answer. */
export interface CompletionAnswer {
  /** OpenAI's id of the completion (`chatcmpl-…`). */
  upstreamId: string;
  /** The model that answered. */
  model: string;
  text: string;
  usage?: Usage;
  finishReason: FinishReason;
}

/** The SDK's per-request options for a call bounded by `signal`. */
export function sdkRequestOptions(call: Pick<CompletionCall, 'timeoutMs' | 'maxRetries'>, signal: AbortSignal) {
  return { signal, timeout: call.timeoutMs, ...(call.maxRetries === undefined ? {} : { maxRetries: call.maxRetries }) };
}

/**
 * Asks the model for a whole answer (no streaming). The SDK retries per `maxRetries`; the deadline bounds it all,
 * back-off sleeps included, and the request's abort stops it. Every failure is a {@link ChatError} from
 * `chatErrorFromUpstream`: a safe message, the protocol's status, no secret.
 *
 * @example
 * const answer = await requestCompletion({ client, params: { model, messages }, timeoutMs: 60_000, request, secrets });
 */
export async function requestCompletion(call: CompletionCall): Promise<CompletionAnswer> {
  const deadline = createDeadline(call.timeoutMs, call.request);
  try {
    const pending = Promise.resolve().then(() => call.client.chat.completions.create(call.params, sdkRequestOptions(call, deadline.signal)));
    const completion = await raceSignal(pending, deadline.signal);
    const choice = completion.choices.find((item) => item.index === 0) ?? completion.choices[0];
    if (choice === undefined) throw new ChatError('bad_response', 'The AI service sent an empty answer.', { status: 502 });
    const usage = parseUsage(completion.usage);
    return {
      upstreamId: completion.id,
      model: completion.model || call.params.model,
      text: choice.message.content ?? choice.message.refusal ?? '',
      finishReason: choice.finish_reason,
      ...(usage === undefined ? {} : { usage }),
    };
  } catch (error) {
    throw chatErrorFromUpstream(error, { timedOut: deadline.timedOut, clientGone: deadline.clientGone, secrets: call.secrets });
  } finally {
    deadline.dispose();
  }
}
