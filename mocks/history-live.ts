import type { Conversation, Usage } from '../src/core/index.js';
import type { StoredMessage } from './history-seed.js';

/** How a generation ended: finished (with usage and finish reason), or broken (model failure, disconnect). */
export type AnswerOutcome = { status: 'complete'; usage?: Usage; finishReason: string } | { status: 'error' };

/** One generation of an answer. A newer generation of the same answer id replaces it. */
export interface LiveAnswer {
  readonly conversationId: string;
  readonly answerId: string;
  readonly parentId: string;
}

/** Answers being generated. The stored row always holds exactly the text forwarded to the client. */
export interface LiveAnswers {
  /** Starts generating `answerId` (replacing any generation of it); its row appears, or is reset, at the first delta. */
  begin(conversationId: string, answerId: string, parentId: string): LiveAnswer;
  /** Stores a forwarded delta; `false` when the generation was stopped or replaced (nothing stored). */
  append(answer: LiveAnswer, content: string): boolean;
  /** Ends a generation that is still current; a stopped or replaced one is left as it is. */
  end(answer: LiveAnswer, outcome: AnswerOutcome): void;
  /**
   * The user stopped `answerId`: its generation stops and its row ends `cancelled`, whether or not the disconnect was
   * noticed first; a complete answer is unchanged. `false` when the conversation has no such answer.
   */
  stop(conversationId: string, answerId: string): boolean;
  /** Forgets every generation. */
  clear(): void;
}

interface Generation extends LiveAnswer {
  started: boolean;
}

interface Rows {
  now: () => Date;
  row: (conversationId: string) => { conversation: Conversation; messages: StoredMessage[] } | undefined;
  touch: (row: { conversation: Conversation }, at: string) => void;
  save: () => void;
  saveSoon: () => void;
}

/** Creates the live-answer registry over the database's rows. */
export function createLiveAnswers(db: Rows): LiveAnswers {
  const current = new Map<string, Generation>();
  const keyOf = (conversationId: string, answerId: string): string => JSON.stringify([conversationId, answerId]);
  const find = (conversationId: string, answerId: string): StoredMessage | undefined =>
    db.row(conversationId)?.messages.find((message) => message.id === answerId && message.role === 'assistant');
  const isCurrent = (answer: LiveAnswer): answer is Generation => current.get(keyOf(answer.conversationId, answer.answerId)) === answer;

  /** The generation's row, created or reset on its first delta (a regenerated answer keeps its place). */
  function rowFor(answer: Generation): StoredMessage | undefined {
    const row = db.row(answer.conversationId);
    if (!row) return undefined;
    const existing = find(answer.conversationId, answer.answerId);
    if (answer.started && existing) return existing;
    answer.started = true;
    const at = db.now().toISOString();
    const { answerId: id, parentId } = answer;
    const fresh: StoredMessage = { id, parentId, role: 'assistant', parts: [], createdAt: at, status: 'streaming' };
    if (existing) {
      Object.assign(existing, { ...fresh, createdAt: existing.createdAt });
      delete existing.usage;
      delete existing.finishReason;
    } else row.messages.push(fresh);
    db.touch(row, at);
    return existing ?? fresh;
  }

  return {
    begin(conversationId, answerId, parentId) {
      const answer: Generation = { conversationId, answerId, parentId, started: false };
      current.set(keyOf(conversationId, answerId), answer);
      return answer;
    },
    append(answer, content) {
      if (!isCurrent(answer)) return false;
      const message = rowFor(answer);
      if (!message) return false;
      const last = message.parts[message.parts.length - 1];
      if (last && last.type === 'text' && typeof last.text === 'string') last.text += content;
      else message.parts.push({ type: 'text', text: content });
      // Deltas are saved in batches; status changes at once.
      db.saveSoon();
      return true;
    },
    end(answer, outcome) {
      if (!isCurrent(answer)) return;
      current.delete(keyOf(answer.conversationId, answer.answerId));
      if (outcome.status === 'error' && !answer.started) return;
      const message = rowFor(answer);
      if (!message) return;
      message.status = outcome.status;
      if (outcome.status === 'complete') {
        if (outcome.usage) message.usage = outcome.usage;
        message.finishReason = outcome.finishReason;
      }
      db.save();
    },
    stop(conversationId, answerId) {
      const key = keyOf(conversationId, answerId);
      const answer = current.get(key);
      current.delete(key);
      const message = find(conversationId, answerId);
      if (!answer && !message) return false;
      if (message && message.status !== 'complete' && (answer === undefined || answer.started)) message.status = 'cancelled';
      db.save();
      return true;
    },
    clear: () => current.clear(),
  };
}
