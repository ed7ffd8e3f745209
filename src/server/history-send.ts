import { messageText, type ChatError } from '../core/index.js';
import type { ChatLogEvent } from './chat-options.js';
import type { ParsedChatRequest } from './chat-request.js';
import type { ChatRuntime } from './chat-runtime.js';
import { failureIsBilled, tokensToCharge, type ClientLease } from './client-limits.js';
import { requestCompletion, type CompletionCall } from './completion.js';
import { streamCompletion } from './completion-stream.js';
import { conversationPath } from './conversation-path.js';
import type { ConversationStore, StoredMessage } from './conversation-store.js';
import { createAnswerRow } from './history-answer-row.js';
import type { LiveAnswers } from './history-live.js';
import { replayAnswer } from './history-replay.js';
import { parseSendBody, wantsEventStream } from './history-request.js';
import { jsonResponse, statusOf } from './http-response.js';
import { readJsonBody } from './json-body.js';
import type { ResolvedStreamLimits } from './stream-limits.js';

/** What the send endpoint needs from its handler set. */
export interface SendContext {
  runtime: ChatRuntime;
  store: ConversationStore;
  live: LiveAnswers;
  maxBodyBytes: number;
  heartbeatMs: number;
  /** Bounds on a streamed answer (buffer, write idle, wall clock). */
  streamLimits: ResolvedStreamLimits;
  now: () => Date;
}

/** One send request, authorised. */
export interface SendCall {
  request: Request;
  ownerId: string;
  conversationId: string;
  /** Response headers so far (request id, CORS, rate limit). */
  headers: Headers;
  /** Writes the request's one log event; the send flow calls it once the model was asked (or the answer replayed). */
  log: (status: number, fields: Partial<ChatLogEvent>, severity?: number) => void;
  /** The send's admission: charged with the answer's tokens, released once the answer is over. */
  lease: ClientLease;
}

/**
 * The abort signal of one generation: the client leaving or the user's stop (or a newer generation) aborts it. It
 * holds the request itself, as `createDeadline` does: Node links a Request's signal to the caller's weakly.
 */
function generationSignal(request: Request, stop: AbortSignal): { readonly signal: AbortSignal; readonly request: Request } {
  const controller = new AbortController();
  const abort = (reason: unknown): void => controller.abort(reason);
  if (request.signal.aborted) abort(request.signal.reason);
  else request.signal.addEventListener('abort', () => abort(request.signal.reason), { once: true });
  if (stop.aborted) abort(stop.reason);
  else stop.addEventListener('abort', () => abort(stop.reason), { once: true });
  return { signal: controller.signal, request };
}

/**
 * `POST /conversations/:id/messages`: validates the message, stores it before anything else, then answers it.
 * A retry of a message whose answer is complete is replayed without calling the model; otherwise the model is
 * asked with the conversation's stored path and the answer is stored as it is forwarded (in place of a failed or
 * cancelled earlier answer). JSON or SSE by `Accept`. The call's lease is released on every path that returns (a
 * stream's once it settles); the caller releases it when this throws.
 * @see docs/protocol.md, "Sending a message" and "Stopping, disconnecting and truncation"
 */
export async function sendMessage(context: SendContext, call: SendCall): Promise<Response> {
  const { runtime, store } = context;
  const { request, ownerId, conversationId, headers, log, lease } = call;
  const input = parseSendBody(runtime, await readJsonBody(request, context.maxBodyBytes));
  const message = { id: input.id ?? runtime.generateId(), parts: input.parts, ...(input.parentId === undefined ? {} : { parentId: input.parentId }) };
  // Stored before the model is called: a reload from now on shows it. A retry with other content throws 409.
  const inserted = await store.insertUserMessage(ownerId, conversationId, message, context.now());
  const question = inserted.message;
  const previous = inserted.status === 'duplicate' ? inserted.answer : null;
  const stream = wantsEventStream(request);
  const turn: ParsedChatRequest = { messages: [{ role: 'user', text: input.text }], conversationId };
  if (previous?.status === 'complete') {
    log(200, { ...(previous.finishReason === undefined ? {} : { finishReason: previous.finishReason }), ...runtime.contentFields(turn, messageText(previous)) });
    lease.release();
    return replayAnswer(question, previous, stream, headers);
  }

  const path = await conversationPath(store, ownerId, conversationId, question, runtime.maxMessages);
  const history: ParsedChatRequest = { messages: path.map((item) => ({ role: item.role, text: messageText(item) })), conversationId };
  const client = runtime.client();
  // One answer row per question: a retry regenerates the stored answer, or the one still being generated here.
  const answerId = previous?.id ?? context.live.answering(ownerId, conversationId, question.id) ?? runtime.generateId();
  const live = context.live.begin({ ownerId, conversationId, messageId: answerId }, question.id);
  const row = createAnswerRow({ store, ownerId, conversationId, answerId, parentId: question.id, live, now: context.now });
  const generation = generationSignal(request, live.signal);
  const completion: CompletionCall = {
    client,
    params: runtime.params(history),
    timeoutMs: runtime.timeoutMs,
    ...(runtime.maxRetries === undefined ? {} : { maxRetries: runtime.maxRetries }),
    request: generation,
    secrets: runtime.secrets(),
  };
  const failed = async (error: ChatError, responded: boolean): Promise<void> => {
    if (failureIsBilled(error, row.text)) lease.charge(tokensToCharge(undefined, completion.params, row.text));
    try {
      await row.fail();
    } finally {
      live.end();
      log(responded ? 200 : statusOf(error), { ...runtime.errorFields(error), ...runtime.contentFields(turn, row.text) }, statusOf(error));
    }
  };

  if (!stream) {
    const answer = await requestCompletion(completion)
      .catch(async (error: unknown) => {
        // requestCompletion rejects with ChatErrors only.
        await failed(error as ChatError, false);
        throw error;
      })
      .finally(() => lease.release());
    lease.charge(tokensToCharge(answer.usage, completion.params, answer.text));
    const usage = answer.usage === undefined ? undefined : runtime.reportUsage(answer.model, answer.usage);
    const stored = await row.complete(answer).finally(() => live.end());
    log(200, { finishReason: answer.finishReason, ...(usage === undefined ? {} : { usage }), ...runtime.contentFields(turn, answer.text) });
    // `null` only when a concurrent retry took the row over; this client still gets the answer it paid for.
    const reply: StoredMessage = stored ?? {
      id: answerId,
      parentId: question.id,
      role: 'assistant',
      parts: [{ type: 'text', text: answer.text }],
      createdAt: context.now().toISOString(),
      status: 'complete',
      finishReason: answer.finishReason,
    };
    return jsonResponse({ message: reply, userMessage: question, ...(answer.usage === undefined ? {} : { usage: answer.usage }) }, 200, headers);
  }

  return streamCompletion({
    ...completion,
    ...context.streamLimits,
    request: generation,
    heartbeatMs: context.heartbeatMs,
    headers,
    prelude: [{ messageId: answerId, userMessageId: question.id }],
    onDelta: (content) => row.append(content),
    async onFinish(finish) {
      lease.charge(tokensToCharge(finish.usage, completion.params, finish.text));
      await row.complete(finish);
      live.end();
      const usage = finish.usage === undefined ? undefined : runtime.reportUsage(finish.model, finish.usage);
      log(200, { finishReason: finish.finishReason, ...(usage === undefined ? {} : { usage }), ...runtime.contentFields(turn, finish.text) });
    },
    onError: (error, _text, responded) => failed(error, responded),
    onSettled: () => lease.release(),
  });
}
