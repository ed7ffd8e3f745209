import type { ChatEvent } from './chat-event.js';
import type { ChatMessage } from './message.js';

/** What the chat store asks a transport to answer. */
export interface ChatRequest {
  /** The visible conversation, oldest first, ending with the user's new message. */
  messages: ChatMessage[];
  /** The server-side conversation this turn belongs to, for history endpoints. */
  conversationId?: string;
  /** Extra JSON fields sent with the request (the server decides what it accepts). */
  body?: Record<string, unknown>;
}

/** Per-call options the store passes to a transport. */
export interface TransportSendOptions {
  /** Aborted when the user stops, the turn times out, or the store is disposed. */
  signal: AbortSignal;
}

/**
 * Moves one turn to a backend and yields the answer as {@link ChatEvent}s.
 * The iterator ends after a `done` event, or throws a `ChatError`. Implementations must stop
 * promptly when `signal` aborts and must never yield after it.
 *
 * @example
 * const transport: ChatTransport = { async *send(request, { signal }) { yield { type: 'delta', content: 'Hi' }; yield { type: 'done' }; } };
 */
export interface ChatTransport {
  send(request: ChatRequest, options: TransportSendOptions): AsyncIterable<ChatEvent>;
}
