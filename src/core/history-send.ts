import { abortedError } from './abortable.js';
import type { ChatEvent } from './chat-event.js';
import { ChatError, defaultErrorMessage, isChatError, toChatError } from './chat-error.js';
import { parseStoredMessage } from './history-wire.js';
import { readJsonBody, sendHttpCall, type HttpClientOptions } from './http-post.js';
import { isRecord } from './is-record.js';
import { messageText } from './message.js';
import { readSseAnswer, type SseStreamOptions } from './sse-answer.js';
import type { ChatRequest } from './transport.js';
import { parseUsage, toWireMessage } from './wire.js';

/** What sending a turn to a history endpoint needs from the transport that owns it. */
export interface HistorySendContext {
  options: HttpClientOptions & SseStreamOptions;
  accept: 'sse' | 'json';
  /** `POST …/conversations/:id/messages` for a conversation id. */
  messagesUrl: (conversationId: string) => string;
  /** Tells the server the user stopped an answer (`POST …/messages/:messageId/stop`). */
  stopAnswer: (conversationId: string, messageId: string) => Promise<void>;
}

/**
 * Sends the turn's last (user) message to its conversation and yields the answer. When the caller's signal aborts
 * with an `aborted` ChatError (the chat store's stop) after the server named the answer, it also tells the server,
 * without waiting, so the stored answer ends `cancelled` rather than `error`.
 * @see docs/protocol.md, "Sending a message" and "Stopping, disconnecting and truncation"
 */
export async function* sendHistoryTurn(context: HistorySendContext, request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
  const { conversationId } = request;
  const question = request.messages[request.messages.length - 1];
  if (conversationId === undefined) throw new ChatError('invalid_input', 'A history transport needs the conversation id.');
  if (question?.role !== 'user') throw new ChatError('invalid_input', 'The last message must be from the user.');
  const url = context.messagesUrl(conversationId);
  const message = {
    ...toWireMessage(question),
    // Omitted for the first message the client knows of: the server then follows its newest stored message.
    ...(question.parentId === null ? {} : { parentId: question.parentId }),
  };
  const body = { ...request.body, message };
  let answerId: string | undefined;
  const onAbort = (): void => {
    const reason: unknown = signal.reason;
    if (answerId === undefined || !isChatError(reason) || reason.code !== 'aborted') return;
    context.stopAnswer(conversationId, answerId).catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const events =
      context.accept === 'json'
        ? jsonAnswer(context, url, body, signal)
        : readSseAnswer(
            (stop) => sendHttpCall(context.options, { method: 'POST', url, body, accept: 'text/event-stream', signal: stop }),
            context.options,
            signal,
          );
    for await (const event of events) {
      if (event.type === 'start') answerId = event.messageId;
      yield event;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** The `Accept: application/json` answer, `{ message, userMessage, usage? }`, as the events a stream would yield. */
async function* jsonAnswer(context: HistorySendContext, url: string, body: unknown, signal: AbortSignal): AsyncGenerator<ChatEvent> {
  try {
    if (signal.aborted) throw abortedError(signal.reason);
    const response = await sendHttpCall(context.options, { method: 'POST', url, body, accept: 'application/json', signal });
    const json = await readJsonBody(response, signal);
    const answer = isRecord(json) ? parseStoredMessage(json.message) : undefined;
    if (answer === undefined || !isRecord(json)) {
      throw new ChatError('bad_response', defaultErrorMessage('bad_response'), { status: response.status });
    }
    const text = messageText(answer);
    const usage = answer.usage ?? parseUsage(json.usage);
    const events: ChatEvent[] = [{ type: 'start', messageId: answer.id }];
    if (text.length > 0) events.push({ type: 'delta', content: text });
    if (usage !== undefined) events.push({ type: 'usage', usage });
    events.push({
      type: 'done',
      message: { id: answer.id, parts: answer.parts },
      ...(answer.finishReason === undefined ? {} : { finishReason: answer.finishReason }),
    });
    for (const event of events) {
      if (signal.aborted) throw abortedError(signal.reason);
      yield event;
    }
  } catch (error) {
    if (signal.aborted) throw isChatError(error) && error.code === 'aborted' ? error : abortedError(error);
    throw toChatError(error);
  }
}
