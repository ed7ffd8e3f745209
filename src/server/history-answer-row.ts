import type { FinishReason, MessagePart, Usage } from '../core/index.js';
import type { AssistantMessageInput, ConversationStore, StoredMessage, StoredMessageStatus } from './conversation-store.js';
import type { LiveAnswer } from './history-live.js';

/** The stored row of one generation of an answer, kept equal to what was forwarded to the client. */
export interface AnswerRow {
  /** The text forwarded so far. */
  readonly text: string;
  /**
   * Records a forwarded delta. The first creates the row (status `streaming`) and resolves once it is stored, so a
   * reload or a stop from then on finds it; later ones rewrite it in the background, coalesced while a write runs.
   */
  append(content: string): Promise<void>;
  /** Stores the whole answer as `complete`; `null` when a newer generation owns the row. */
  complete(finish: { text: string; usage?: Usage | undefined; finishReason: FinishReason }): Promise<StoredMessage | null>;
  /**
   * Ends a failed generation: the forwarded text, status `error`, or `cancelled` when the user stopped it. Writes
   * nothing when nothing was forwarded (the answer has no row, or keeps the one an earlier generation left).
   */
  fail(): Promise<StoredMessage | null>;
}

/** What an {@link AnswerRow} writes to. */
export interface AnswerRowTarget {
  store: ConversationStore;
  ownerId: string;
  conversationId: string;
  answerId: string;
  /** The user message it answers. */
  parentId: string;
  live: LiveAnswer;
  now: () => Date;
}

function partsOf(text: string): MessagePart[] {
  return text === '' ? [] : [{ type: 'text', text }];
}

/**
 * Creates the row writer of one generation. Writes are whole-row upserts applied in order, one at a time; while
 * one runs, newer states replace each other, so a slow store sees fewer, larger writes and never an old state
 * after a new one. A superseded generation writes nothing more.
 * @see docs/protocol.md, "Sending a message", rule 4
 */
export function createAnswerRow(target: AnswerRowTarget): AnswerRow {
  const { store, ownerId, conversationId, answerId, parentId, live } = target;
  let text = '';
  let pending: AssistantMessageInput | undefined;
  let draining: Promise<void> | undefined;
  let last: { stored: StoredMessage | null; error: unknown } = { stored: null, error: undefined };

  async function drain(): Promise<void> {
    while (pending !== undefined) {
      const next = pending;
      pending = undefined;
      try {
        last = { stored: await store.upsertAssistantMessage(ownerId, conversationId, next, target.now()), error: undefined };
      } catch (error) {
        last = { stored: null, error };
      }
    }
    draining = undefined;
  }

  /** Queues `status` with the current text; resolves once it (or a newer state) is stored, rejects if that failed. */
  async function write(status: StoredMessageStatus, extra: Pick<AssistantMessageInput, 'usage' | 'finishReason'> = {}): Promise<StoredMessage | null> {
    if (live.superseded) return null;
    // A stop may arrive before the row exists or before the disconnect it causes: the row ends cancelled anyway.
    const effective = status !== 'complete' && live.stopped() ? 'cancelled' : status;
    pending = { id: answerId, parentId, parts: partsOf(text), status: effective, ...extra };
    draining ??= drain();
    await draining;
    if (last.error !== undefined) throw last.error;
    return last.stored;
  }

  let created = false;
  return {
    get text() {
      return text;
    },
    async append(content) {
      text += content;
      if (created) {
        // Not awaited: the next delta need not wait for the store; the final write reports a failure that stuck.
        write('streaming').catch(() => undefined);
        return;
      }
      created = true;
      await write('streaming');
    },
    async complete(finish) {
      text = finish.text;
      created = true;
      const { usage, finishReason } = finish;
      return write('complete', { ...(usage === undefined ? {} : { usage }), finishReason });
    },
    async fail() {
      if (!created) return null;
      return write('error');
    },
  };
}
