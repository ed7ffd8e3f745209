import { delay, HttpResponse } from 'msw';
import { defaultErrorMessage, isTextPart, parseParts, type FinishReason, type Usage } from '../src/core/index.js';
import type { ChatHandlerOptions, StreamFault } from './chat-handlers.js';
import { parseChatRequest } from './chat-request.js';
import { errorResponse } from './error-response.js';
import { partsText, type AnswerOutcome, type HistoryDb, type LiveAnswer, type StoredMessage, type StoredPart } from './history-db.js';
import { countTokens, replyFor, tokenize } from './replies.js';
import { createSseStream, SSE_DONE, SSE_HEADERS, sseData, sseEvent, type SseStep } from './sse.js';

/** A user message the history endpoint accepted: its parts as stored. */
interface Question {
  id: string | undefined;
  parts: StoredPart[];
  parentId: string | null | undefined;
  prompt: string;
}

/** What the mock model answers. */
interface Reply {
  tokens: string[];
  usage: Usage | undefined;
  finishReason: FinishReason;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text parts as `{ type, text }` (the client's `state` is not stored); other parts untouched. */
function storedParts(message: unknown): StoredPart[] | undefined {
  return parseParts(message)?.map((part): StoredPart => (isTextPart(part) ? { type: 'text', text: part.text } : part));
}

/**
 * Validates `{ message: { id, role: "user", parts, parentId? } }` with the chat endpoints' rules (roles, lengths,
 * refused fields such as `model`). Returns the question, or the error response.
 * @see docs/protocol.md, "Sending a message"
 */
export function readQuestion(body: unknown, maxInputLength: number): Question | Response {
  if (!isRecord(body) || !isRecord(body.message)) {
    return errorResponse('invalid_input', { message: 'The request needs a "message" object.' });
  }
  const { message, messages: _ignored, ...rest } = body;
  const checked = parseChatRequest({ ...rest, messages: [message] }, { maxInputLength });
  if (!checked.ok) return errorResponse(checked.problem.code, { message: checked.problem.message });
  const { parentId } = message;
  if (parentId !== undefined && parentId !== null && typeof parentId !== 'string') {
    return errorResponse('invalid_input', { message: '"parentId" must be a message id or null.' });
  }
  const parts = storedParts(message) ?? [];
  return { id: checked.request.messages[0]?.id, parts, parentId, prompt: checked.request.prompt };
}

function samePart(a: StoredPart[], b: StoredPart[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function intervalMs(options: ChatHandlerOptions): number {
  const rate = options.tokensPerSecond ?? 40;
  return rate > 0 && Number.isFinite(rate) ? 1000 / rate : 0;
}

function replyTo(db: HistoryDb, conversationId: string, prompt: string, options: ChatHandlerOptions): Reply {
  const { reply = replyFor } = options;
  const tokens = tokenize(typeof reply === 'string' ? reply : reply(prompt));
  // The model reads the stored conversation, never a client-sent history.
  const promptTokens = (db.messages(conversationId) ?? []).reduce(
    (sum, message) => sum + countTokens(partsText(message.parts)),
    0,
  );
  const completionTokens = tokens.length;
  const usage = (options.usage ?? true) ? { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens } : undefined;
  return { tokens, usage, finishReason: options.finishReason ?? 'stop' };
}

/** How a generation that reached `[DONE]` is stored. */
function completed(reply: Reply): AnswerOutcome {
  return { status: 'complete', finishReason: reply.finishReason, ...(reply.usage ? { usage: reply.usage } : {}) };
}

function trailer(usage: Usage | undefined, finishReason: string | undefined): string {
  return sseData({ ...(usage ? { usage } : {}), ...(finishReason === undefined ? {} : { finishReason }) });
}

/** The streamed answer: the ids frame, then deltas stored as they are forwarded, with the fault (if any) spliced in. */
function liveSteps(db: HistoryDb, live: LiveAnswer, reply: Reply, fault: StreamFault | undefined, options: ChatHandlerOptions): SseStep[] {
  const afterMs = intervalMs(options);
  const fail = (): void => db.live.end(live, { status: 'error' });
  const ids: SseStep = { afterMs: 0, frame: sseData({ messageId: live.answerId, userMessageId: live.parentId }) };
  const deltas = reply.tokens.map(
    (content): SseStep => ({ afterMs, frame: sseData({ content }), onPlayed: () => db.live.append(live, content) }),
  );
  const cut = Math.min(Math.max(0, Math.floor(options.faultAfterTokens ?? reply.tokens.length / 2)), reply.tokens.length);
  const ending: SseStep[] = [
    { afterMs: 0, frame: trailer(reply.usage, reply.finishReason) },
    { afterMs: 0, frame: SSE_DONE, onPlayed: () => db.live.end(live, completed(reply)) },
  ];
  const before = [ids, ...deltas.slice(0, cut)];
  switch (fault) {
    case 'stream_cut':
      return [...before, { afterMs, error: new TypeError('terminated'), onPlayed: fail }];
    case 'stream_truncated': {
      const last = before[before.length - 1] as SseStep;
      return [...before.slice(0, -1), { ...last, onPlayed: () => (last.onPlayed?.(), fail()) }];
    }
    case 'error_event': {
      const error = { code: 'upstream_unavailable', message: defaultErrorMessage('upstream_unavailable') };
      return [...before, { afterMs, frame: sseEvent('error', error), onPlayed: fail }];
    }
    case 'malformed_chunk':
      return [...before, { afterMs, frame: 'data: {"content": "unterminated\n\n' }, ...deltas.slice(cut), ...ending];
    case 'stream_stall':
      // The stored answer keeps growing as deltas play; the row ends when the client aborts (the stop endpoint
      // or the disconnect, as for a real stalled upstream).
      return [...before, { afterMs: Number.POSITIVE_INFINITY, frame: '' }];
    case undefined:
      return [ids, ...deltas, ...ending];
  }
}

/** Replays a complete stored answer: one `content` frame with its whole text, its usage and finish reason, `[DONE]`. */
function replay(question: StoredMessage, answer: StoredMessage, stream: boolean): Response {
  if (!stream) return HttpResponse.json({ message: answer, userMessage: question, ...(answer.usage ? { usage: answer.usage } : {}) });
  const text = partsText(answer.parts);
  const frames = [
    sseData({ messageId: answer.id, userMessageId: question.id }),
    ...(text === '' ? [] : [sseData({ content: text })]),
    trailer(answer.usage, answer.finishReason),
    SSE_DONE,
  ];
  return new HttpResponse(createSseStream(frames.map((frame) => ({ afterMs: 0, frame }))), { headers: SSE_HEADERS });
}

/**
 * Answers a validated question in a known conversation, by the protocol's rules: the user message is stored before
 * the model runs; a known id with other content is 409; a known id with a complete answer is replayed (no new row);
 * otherwise the answer is generated (in place, when a failed or cancelled one exists) and stored as it streams.
 * @see docs/protocol.md, "Sending a message" and "Stopping, disconnecting and truncation"
 */
export async function answerQuestion(
  db: HistoryDb,
  conversationId: string,
  question: Question,
  request: Request,
  options: ChatHandlerOptions & { streamFault: StreamFault | undefined },
): Promise<Response> {
  const stream = (request.headers.get('accept') ?? '').includes('text/event-stream');
  const known = question.id === undefined ? undefined : db.findMessage(conversationId, question.id);
  if (known && (known.role !== 'user' || !samePart(known.parts, question.parts))) {
    return errorResponse('conflict', { message: 'Another message with this id is already stored.' });
  }
  const id = question.id ?? db.freshMessageId(conversationId, 'msg');
  const stored = known ?? db.addUserMessage(conversationId, { id, parts: question.parts, parentId: question.parentId });
  const previous = db.answerTo(conversationId, stored.id);
  if (previous?.status === 'complete') return replay(stored, previous, stream);
  const reply = replyTo(db, conversationId, question.prompt, options);
  const live = db.live.begin(conversationId, previous?.id ?? db.freshMessageId(conversationId, `${stored.id}-reply`), stored.id);
  if (stream) {
    const steps = liveSteps(db, live, reply, options.streamFault, options);
    // The request itself, not request.signal, keeps the abort link alive (see createSseStream).
    const body = createSseStream(steps, request, { onDisconnect: () => db.live.end(live, { status: 'error' }) });
    return new HttpResponse(body, { headers: SSE_HEADERS });
  }
  const generationMs = reply.tokens.length * intervalMs(options);
  if (generationMs > 0) await delay(generationMs);
  // The client left before the answer was sent: nothing was forwarded, so nothing is stored.
  if (request.signal.aborted) return HttpResponse.error();
  if (reply.tokens.length > 0) db.live.append(live, reply.tokens.join(''));
  db.live.end(live, completed(reply));
  const message = db.findMessage(conversationId, live.answerId);
  return HttpResponse.json({ message, userMessage: stored, ...(reply.usage ? { usage: reply.usage } : {}) });
}
