import type { ChatMessage, FinishReason, Usage } from './message.js';

/** The server named the answer's id (history endpoints); the client adopts it, so nothing is ever duplicated. */
export interface StartEvent {
  type: 'start';
  messageId: string;
}

/** More text for the answer's current text part. */
export interface DeltaEvent {
  type: 'delta';
  content: string;
}

/** Token usage for the answer, usually sent just before `done`. */
export interface UsageEvent {
  type: 'usage';
  usage: Usage;
}

/** The answer is complete. `message` is the server's final copy, when it sends one. */
export interface DoneEvent {
  type: 'done';
  message?: Partial<ChatMessage> & Pick<ChatMessage, 'parts'>;
  finishReason?: FinishReason;
}

/**
 * What a {@link ChatTransport} yields while an answer arrives: a union on `type` that later part types extend.
 * Failures are not events: the iterator throws a `ChatError`.
 */
export type ChatEvent = StartEvent | DeltaEvent | UsageEvent | DoneEvent;
