import type { EventSourceMessage } from 'eventsource-parser';
import type { ChatEvent } from './chat-event.js';
import { ChatError } from './chat-error.js';
import { chatErrorFromPayload } from './error-from-payload.js';
import { defaultErrorMessage } from './error-from-response.js';
import { isRecord } from './is-record.js';
import type { FinishReason } from './message.js';
import { parseUsage } from './wire.js';

/** The data that ends an answer. Compared exactly: `[DONE] ` or `[DONE]x` are malformed payloads, not the end. */
export const DONE_SENTINEL = '[DONE]';

/**
 * What one server-sent event means for the answer, besides the events it appended: more may follow (with the finish
 * reason when it named one), the answer is complete, or it failed.
 */
export type StreamStep = { kind: 'events'; finishReason?: FinishReason } | { kind: 'done' } | { kind: 'error'; error: ChatError };

/** The step of most events: shared, because a stream has hundreds of thousands of them. */
const MORE: StreamStep = Object.freeze({ kind: 'events' });

/**
 * Reads one parsed server-sent event, appending the answer events it holds to `into`: the kit's
 * `{ content, usage, finishReason }` payloads, raw OpenAI `chat.completion.chunk` payloads, `event: error`, an
 * `{"error":...}` frame, and the `[DONE]` sentinel. Returns `undefined` for what is ignored for forward
 * compatibility: events with an unknown name. Any other data that is not a JSON object (an empty `data:` included)
 * is a `bad_response` step.
 * @see docs/protocol.md, "Streaming"
 */
export function readStreamEvent(message: EventSourceMessage, into: ChatEvent[]): StreamStep | undefined {
  // WHATWG: an event without an `event:` field is a `message`.
  const type = message.event ?? 'message';
  if (type === 'error') {
    const payload = parseJson(message.data);
    // The server said it failed; an unreadable body only loses the details.
    const details = isRecord(payload) && isRecord(payload.error) ? payload.error : payload;
    return { kind: 'error', error: chatErrorFromPayload(details) };
  }
  if (type !== 'message') return undefined;
  if (message.data === DONE_SENTINEL) return { kind: 'done' };
  const payload = parseJson(message.data);
  if (!isRecord(payload)) {
    return { kind: 'error', error: new ChatError('bad_response', defaultErrorMessage('bad_response')) };
  }
  // OpenAI and proxies in front of it report failures mid-stream as a data frame.
  if (payload.error !== undefined && payload.error !== null) return { kind: 'error', error: chatErrorFromPayload(payload.error) };

  // History endpoints name the answer's id first (docs/protocol.md, "Sending a message").
  if (typeof payload.messageId === 'string' && payload.messageId.length > 0) into.push({ type: 'start', messageId: payload.messageId });
  const choice = firstChoice(payload.choices);
  const content = typeof payload.content === 'string' ? payload.content : readChoiceContent(choice);
  if (content !== undefined && content.length > 0) into.push({ type: 'delta', content });
  const usage = parseUsage(payload.usage);
  if (usage !== undefined) into.push({ type: 'usage', usage });
  const finishReason =
    typeof payload.finishReason === 'string'
      ? payload.finishReason
      : typeof choice?.finish_reason === 'string'
        ? choice.finish_reason
        : undefined;
  return finishReason === undefined ? MORE : { kind: 'events', finishReason };
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
  const delta = choice?.delta;
  return isRecord(delta) && typeof delta.content === 'string' ? delta.content : undefined;
}
