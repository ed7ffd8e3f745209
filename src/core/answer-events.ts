import type { ChatEvent } from './chat-event.js';
import { ChatError, defaultErrorMessage } from './chat-error.js';
import { chatErrorFromPayload } from './error-from-payload.js';
import { isRecord } from './is-record.js';
import { messageText, type Usage } from './message.js';
import { parseParts, parseUsage } from './wire.js';

/**
 * Turns a whole answer (a JSON body or a server action's result) into the events a streaming transport would have
 * yielded: one `delta` with the text (none when empty), a `usage` when reported, then `done` with the server's copy.
 *
 * Accepted shapes: a string; `{ message, usage?, finishReason? }` where `message` is a string, `{ content }` or
 * `{ id?, parts }`; the same with `ok: true`; the seed's `{ message, tokens }`. `{ ok: false, error }` (or an `error`
 * without a `message`) throws the mapped error; anything else throws `bad_response`.
 */
export function answerEvents(answer: unknown): ChatEvent[] {
  const body = typeof answer === 'string' ? { message: answer } : answer;
  if (!isRecord(body)) throw unreadable();
  if (body.ok === false || (body.message === undefined && body.error !== undefined && body.error !== null)) {
    throw chatErrorFromPayload(body.error);
  }
  const parts = parseParts(body.message);
  if (parts === undefined) throw unreadable();
  const events: ChatEvent[] = [];
  const text = messageText({ parts });
  if (text.length > 0) events.push({ type: 'delta', content: text });
  const usage = parseUsage(body.usage) ?? usageFromTokens(body.tokens);
  if (usage !== undefined) events.push({ type: 'usage', usage });
  const id = isRecord(body.message) && typeof body.message.id === 'string' && body.message.id.length > 0 ? body.message.id : undefined;
  events.push({
    type: 'done',
    message: id === undefined ? { parts } : { id, parts },
    ...(typeof body.finishReason === 'string' ? { finishReason: body.finishReason } : {}),
  });
  return events;
}

/** The seed server's `tokens` is a bare total; the split is unknown, so prompt and completion stay 0. */
function usageFromTokens(tokens: unknown): Usage | undefined {
  if (typeof tokens !== 'number' || !Number.isFinite(tokens) || tokens < 0) return undefined;
  return { promptTokens: 0, completionTokens: 0, totalTokens: tokens };
}

function unreadable(): ChatError {
  return new ChatError('bad_response', defaultErrorMessage('bad_response'));
}
