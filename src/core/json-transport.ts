import { abortedError } from './abortable.js';
import { answerEvents } from './answer-events.js';
import type { ChatEvent } from './chat-event.js';
import { ChatError, defaultErrorMessage, isChatError, toChatError } from './chat-error.js';
import { postChatRequest, readJsonBody } from './http-post.js';
import type { HttpTransportOptions } from './http-transport-options.js';
import { isRecord } from './is-record.js';
import type { ChatRequest, ChatTransport } from './transport.js';

/** Options of {@link createJsonTransport}. */
export type JsonTransportOptions = HttpTransportOptions;

/**
 * A transport for endpoints that answer a turn with one JSON body, `{ message, usage?, finishReason? }` (the seed
 * server's `{ message: "text", tokens: 42 }` works too). The whole answer arrives at once as a `delta`, a `usage`
 * when reported, and `done` with the server's copy of the message.
 *
 * @example
 * const transport = createJsonTransport({ url: '/api/chat', credentials: 'include' });
 * const chat = createChatStore({ transport });
 * @see docs/protocol.md, "JSON answers"
 */
export function createJsonTransport(options: JsonTransportOptions): ChatTransport {
  return { send: (request, { signal }) => fetchAnswer(options, request, signal) };
}

async function* fetchAnswer(options: JsonTransportOptions, request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
  try {
    if (signal.aborted) throw abortedError(signal.reason);
    const response = await postChatRequest(options, request, { signal, accept: 'application/json' });
    const body = await readJsonBody(response, signal);
    // The protocol's answer is an object; a bare JSON string is more likely a misconfigured endpoint than an answer.
    if (!isRecord(body)) throw new ChatError('bad_response', defaultErrorMessage('bad_response'), { status: response.status });
    for (const event of answerEvents(body)) {
      if (signal.aborted) throw abortedError(signal.reason);
      yield event;
    }
  } catch (error) {
    if (signal.aborted) throw isChatError(error) && error.code === 'aborted' ? error : abortedError(error);
    throw toChatError(error);
  }
}
