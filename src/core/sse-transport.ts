import type { ChatEvent } from './chat-event.js';
import { postChatRequest } from './http-post.js';
import type { HttpTransportOptions } from './http-transport-options.js';
import { readSseAnswer, type SseStreamOptions } from './sse-answer.js';
import type { ChatTransport } from './transport.js';

export type { SseStreamOptions } from './sse-answer.js';

/** Options of {@link createSseTransport}: the endpoint and connection, and how the stream is read. */
export interface SseTransportOptions extends HttpTransportOptions, SseStreamOptions {}

/**
 * A transport that POSTs each turn and reads the answer as a server-sent event stream (the protocol's
 * `text/event-stream` answer, or a raw OpenAI `chat.completion.chunk` stream), yielding text as it arrives.
 * It ends at `data: [DONE]` and releases the connection at once; a stream that ends without it fails with
 * `bad_response`, keeping what was already yielded.
 *
 * @example
 * const transport = createSseTransport({ url: '/api/chat', headers: () => ({ Authorization: `Bearer ${token()}` }) });
 * for await (const event of transport.send({ messages }, { signal })) if (event.type === 'delta') append(event.content);
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function createSseTransport(options: SseTransportOptions): ChatTransport {
  return {
    send: (request, { signal }): AsyncIterable<ChatEvent> =>
      readSseAnswer((stop) => postChatRequest(options, request, { signal: stop, accept: 'text/event-stream' }), options, signal),
  };
}

