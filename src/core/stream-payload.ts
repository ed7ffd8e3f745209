import type { EventSourceMessage } from 'eventsource-parser';
import type { ChatEvent } from './chat-event.js';
import { ChatError, defaultErrorMessage } from './chat-error.js';
import { chatErrorFromPayload } from './error-from-payload.js';
import { isRecord } from './is-record.js';
import type { FinishReason } from './message.js';
import { parseUsage } from './wire.js';

/** The data that ends an answer. Compared exactly: `[DONE] ` or `[DONE]x` are malformed payloads, not the end. */
export const DONE_SENTINEL = '[DONE]';

/**
 * What the events of one answer said so far: the chat events not yet handed out, and, once an event closed the
 * answer, how (`done` or an error); the finish reason a chunk named, for the closing `done`.
 */
export interface StreamState {
  events: ChatEvent[];
  ending?: { kind: 'done' } | { kind: 'error'; error: ChatError };
  finishReason?: FinishReason;
}

/**
 * Reads one parsed server-sent event into `state`: the kit's `{ content, usage, finishReason }` payloads, raw OpenAI
 * `chat.completion.chunk` payloads, `event: error`, an `{"error":...}` frame, and the `[DONE]` sentinel. Events with an
 * unknown name are ignored for forward compatibility. Any other data that is not a JSON object (an empty `data:`
 * included) ends the answer with `bad_response`. Writes into `state` rather than returning a step: it runs for every
 * event of the stream, and most events only append a `delta`.
 * @see docs/protocol.md, "Streaming"
 */
export function readStreamEvent(message: EventSourceMessage, state: StreamState): void {
  // WHATWG: an event without an `event:` field is a `message`.
  const type = message.event ?? 'message';
  if (type === 'error') {
    const payload = parseJson(message.data);
    // The server said it failed; an unreadable body only loses the details.
    const details = isRecord(payload) && isRecord(payload.error) ? payload.error : payload;
    state.ending = { kind: 'error', error: chatErrorFromPayload(details) };
    return;
  }
  if (type !== 'message') return;
  if (message.data === DONE_SENTINEL) {
    state.ending = { kind: 'done' };
    return;
  }
  const payload = parseJson(message.data);
  if (!isRecord(payload)) {
    state.ending = { kind: 'error', error: new ChatError('bad_response', defaultErrorMessage('bad_response')) };
    return;
  }
  // OpenAI and proxies in front of it report failures mid-stream as a data frame.
  if (payload.error !== undefined && payload.error !== null) {
    state.ending = { kind: 'error', error: chatErrorFromPayload(payload.error) };
    return;
  }

  const { events } = state;
  // History endpoints name the answer's id first (docs/protocol.md, "Sending a message").
  if (typeof payload.messageId === 'string' && payload.messageId.length > 0) events.push({ type: 'start', messageId: payload.messageId });
  const choice = firstChoice(payload.choices);
  const content = typeof payload.content === 'string' ? payload.content : readChoiceContent(choice);
  if (content !== undefined && content.length > 0) events.push({ type: 'delta', content });
  // Most chunks carry no usage (or OpenAI's `usage: null`): skip the call then.
  const usage = payload.usage === undefined || payload.usage === null ? undefined : parseUsage(payload.usage);
  if (usage !== undefined) events.push({ type: 'usage', usage });
  if (typeof payload.finishReason === 'string') state.finishReason = payload.finishReason;
  else if (typeof choice?.finish_reason === 'string') state.finishReason = choice.finish_reason;
}

/** `undefined` for anything that is not JSON (the empty string included); callers treat that as malformed. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The first choice (`index: 0`); with `n > 1`, OpenAI interleaves chunks of other choices, which are skipped. */
function firstChoice(choices: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(choices)) return undefined;
  // A loop, not `find`: this runs for every event of the stream.
  for (const item of choices as unknown[]) if (isRecord(item) && (item.index === undefined || item.index === 0)) return item;
  return undefined;
}

function readChoiceContent(choice: Record<string, unknown> | undefined): string | undefined {
  // No `isRecord(delta)`: a JSON value that is not an object (an array, a string, a number) has no `content` of its
  // own, so the `typeof` below is false for it anyway; it saves a call per event.
  const content = (choice?.delta as { content?: unknown } | null | undefined)?.content;
  return typeof content === 'string' ? content : undefined;
}
