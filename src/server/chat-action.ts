import type { FunctionTransportAnswer, FunctionTransportFailure, WireChatRequest } from '../core/index.js';
import type { ChatActionOptions, ChatLogEvent } from './chat-options.js';
import type { ParsedChatRequest } from './chat-request.js';
import { createChatRuntime } from './chat-runtime.js';
import { requestCompletion } from './completion.js';
import { statusOf } from './http-response.js';
import { createClientKey, createRateLimitCheck, rateLimitedError } from './rate-limit.js';
import { unexpectedChatError } from './upstream-error.js';

/** What a chat action resolves with: the answer, or a typed failure. It never throws. */
export type ChatActionResult = (FunctionTransportAnswer & { ok: true }) | FunctionTransportFailure;

/** A server action that answers one turn; pass it to `createFunctionTransport`. */
export type ChatAction = (request: WireChatRequest) => Promise<ChatActionResult>;

/**
 * Creates a chat server action (Pattern 3): it validates its argument exactly as the route handlers validate a
 * body (a server action's argument is client input too), asks the model for a whole answer, and resolves with
 * `{ ok: true, message, usage, finishReason }` or `{ ok: false, error: { code, message, retryAfterMs? } }`. It never
 * throws: Next.js replaces a thrown error's message in production, and a raw error could carry upstream details.
 * Neither result ever holds the API key.
 *
 * @example
 * // app/actions/chat.ts
 * 'use server';
 * import { createChatAction } from 'colloquy/server';
 * const answer = createChatAction({ model: 'gpt-4o-mini' });
 * export async function chatAction(request: WireChatRequest) { return answer(request); }
 * // client: <ChatServerAction action={chatAction} />, or createFunctionTransport((r) => chatAction(toWireRequest(r)))
 */
export function createChatAction(options: ChatActionOptions): ChatAction {
  const runtime = createChatRuntime(options);
  const clientKey = createClientKey(options.rateLimit?.key, () => 'anonymous');
  const checkRateLimit = options.rateLimit === undefined ? undefined : createRateLimitCheck(options.rateLimit);

  return async (request) => {
    const started = Date.now();
    const requestId = runtime.generateId();
    let parsed: ParsedChatRequest | undefined;
    const log = (status: number, fields: Partial<ChatLogEvent>): void =>
      runtime.log({ requestId, route: 'action', status, latencyMs: Date.now() - started, model: runtime.model, ...fields });
    try {
      if (checkRateLimit !== undefined) {
        const decision = await checkRateLimit(await clientKey());
        if (!decision.allowed) throw rateLimitedError(decision);
      }
      const turn = runtime.parse(request);
      parsed = turn;
      const answer = await requestCompletion({
        client: runtime.client(),
        params: runtime.params(turn),
        timeoutMs: runtime.timeoutMs,
        ...(runtime.maxRetries === undefined ? {} : { maxRetries: runtime.maxRetries }),
        secrets: runtime.secrets(),
      });
      const usage = answer.usage === undefined ? undefined : runtime.reportUsage(answer.model, answer.usage);
      log(200, { finishReason: answer.finishReason, ...(usage === undefined ? {} : { usage }), ...runtime.contentFields(turn, answer.text) });
      return {
        ok: true,
        message: { id: runtime.generateId(), parts: [{ type: 'text', text: answer.text, state: 'done' }] },
        ...(answer.usage === undefined ? {} : { usage: answer.usage }),
        finishReason: answer.finishReason,
      };
    } catch (caught) {
      const error = unexpectedChatError(caught);
      log(statusOf(error), { ...runtime.errorFields(error), ...runtime.contentFields(parsed, undefined) });
      return {
        ok: false,
        error: { code: error.code, message: error.message, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) },
      };
    }
  };
}
