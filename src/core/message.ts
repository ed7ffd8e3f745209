/** Who wrote a message. */
export type ChatRole = 'user' | 'assistant' | 'system';

/**
 * Lifecycle of one message.
 * - `pending`: the user's message is sent and no answer has arrived yet.
 * - `streaming`: an assistant message that is still receiving text.
 * - `complete`: finished normally.
 * - `error`: the turn failed; for a user message, nothing was answered; for an assistant message, the text is what arrived.
 * - `cancelled`: stopped by the user; an assistant message keeps the text that arrived before the stop.
 */
export type MessageStatus = 'pending' | 'streaming' | 'complete' | 'error' | 'cancelled';

/** Whether a part is still growing. The UI reads a part's state, never the global chat status. */
export type PartState = 'streaming' | 'done';

/** Plain text (markdown for assistant messages). */
export interface TextPart {
  type: 'text';
  text: string;
  state: PartState;
}

/** Every part type this version of colloquy understands. Later versions add reasoning, tool calls, sources, files. */
export type KnownPart = TextPart;

/**
 * A part of a type this version does not know (from a newer server, or a custom extension).
 * It passes through stores, transports and history untouched and renders as nothing.
 */
export interface UnknownPart {
  type: string;
  [key: string]: unknown;
}

/** One piece of a message's content, a union on `type` built to grow. Narrow with {@link isTextPart}. */
export type MessagePart = KnownPart | UnknownPart;

/** Why the model stopped: `stop`, `length`, `content_filter`, or another upstream value passed through. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | (string & {});

/** Token counts reported by the model for one answer. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/**
 * One message of a conversation. A conversation is a tree (every message names its parent);
 * a chat's `messages` is the visible path from the root to the newest message.
 */
export interface ChatMessage {
  id: string;
  /** The message this one answers or follows; `null` for the first message of a conversation. */
  parentId: string | null;
  role: ChatRole;
  parts: MessagePart[];
  /** ISO 8601 timestamp. */
  createdAt: string;
  status: MessageStatus;
  /** Token usage of an assistant answer, when the server reported it. */
  usage?: Usage;
  /** Why the answer ended, when the server said. */
  finishReason?: FinishReason;
}

/** True when `part` is a {@link TextPart}. */
export function isTextPart(part: MessagePart): part is TextPart {
  return part.type === 'text' && typeof part.text === 'string';
}

/**
 * The text of a message: its text parts joined, other parts skipped. Takes a stored or a wire message alike.
 *
 * @example
 * messageText({ ...message, parts: [{ type: 'text', text: 'Hi', state: 'done' }] }); // 'Hi'
 */
export function messageText(message: { readonly parts: ReadonlyArray<{ readonly type: string }> }): string {
  let text = '';
  for (const part of message.parts) {
    const candidate = part as { type: string; text?: unknown };
    if (candidate.type === 'text' && typeof candidate.text === 'string') text += candidate.text;
  }
  return text;
}

/**
 * Length of a text in characters as the protocol counts them: Unicode code points, so an emoji is 1, not 2.
 * @see docs/protocol.md, "Limits"
 */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
