import { conversationTitle, DEFAULT_CONVERSATION_TITLE, type Conversation } from '../src/core/index.js';
import { decodeCursor, encodeCursor, newestFirst, type Page } from './history-pages.js';
import { createHistorySeed, type SeedConversation, type StoredMessage, type StoredPart } from './history-seed.js';
import { createLiveAnswers, type LiveAnswers } from './history-live.js';
import { createHistoryPersistence, type HistoryRow } from './history-storage.js';

export { createHistorySeed, LONG_CONVERSATION_ID, type SeedConversation, type StoredMessage, type StoredPart } from './history-seed.js';
export type { AnswerOutcome, LiveAnswer } from './history-live.js';

/** Options of {@link createHistoryDb}. */
export interface HistoryDbOptions {
  /** The conversations it starts with (and returns to on `reset`). @defaultValue {@link createHistorySeed}() */
  seed?: readonly SeedConversation[];
  /**
   * Where it keeps its data between page loads: pass `sessionStorage` in the browser so a story survives a reload.
   * Without it, the data lives as long as the object. @defaultValue none
   */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** The key in `storage`. @defaultValue 'colloquy:history-db' */
  storageKey?: string;
  /** Clock for new rows. @defaultValue `() => new Date()` */
  now?: () => Date;
}

/** The in-memory store behind the history handlers: plain operations, no HTTP. Every result is a copy. */
export interface HistoryDb {
  /** A page of conversations, newest `updatedAt` first (ties: id descending); `undefined` for an unreadable cursor. */
  listConversations(options: { cursor?: string | null; limit: number }): Page<Conversation, 'conversations'> | undefined;
  /** The conversation `id`, or `undefined`. */
  getConversation(id: string): Conversation | undefined;
  /** Creates a conversation; an existing `id` returns the stored one with `created: false` (idempotent create). */
  createConversation(input: { id?: string; title?: string }): { conversation: Conversation; created: boolean };
  /** Sets the title (bumping `updatedAt`); `undefined` for an unknown id. */
  renameConversation(id: string, title: string): Conversation | undefined;
  /** `false` when there was no such conversation. Its messages go with it. */
  deleteConversation(id: string): boolean;
  /** A page of messages going backwards (oldest first within it); `undefined` for an unknown id; `null` for an unreadable cursor. */
  listMessages(id: string, options: { cursor?: string | null; limit: number }): Page<StoredMessage, 'messages'> | null | undefined;
  /** All of a conversation's messages, oldest first (for tests). */
  messages(conversationId: string): StoredMessage[] | undefined;
  /** The message `messageId` of the conversation, or `undefined`. */
  findMessage(conversationId: string, messageId: string): StoredMessage | undefined;
  /** The assistant message answering `userMessageId`. */
  answerTo(conversationId: string, userMessageId: string): StoredMessage | undefined;
  /** Stores a user message (after its parent, or the newest message), naming an untitled conversation. */
  addUserMessage(conversationId: string, message: { id: string; parts: StoredPart[]; parentId?: string | null }): StoredMessage;
  /** An unused message id in the conversation, starting from `base`. */
  freshMessageId(conversationId: string, base: string): string;
  /** Answers being generated: what streams, what was stopped. */
  readonly live: LiveAnswers;
  /** Back to the seed. */
  reset(): void;
}

type Row = HistoryRow;

const clone = <T>(value: T): T => structuredClone(value);

/** The text of stored parts: their text parts joined. */
export function partsText(parts: readonly StoredPart[]): string {
  return parts.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

function fromSeed(seed: readonly SeedConversation[]): Map<string, Row> {
  return new Map(
    seed.map(({ conversation, messages }) => [
      conversation.id,
      {
        conversation: clone(conversation),
        messages: clone(messages),
        autoTitle: messages.length === 0 && conversation.title === DEFAULT_CONVERSATION_TITLE,
      },
    ]),
  );
}

/**
 * Creates the in-memory history database the history handlers serve, seeded deterministically (fixed ids and
 * dates, no randomness), optionally persisted to a `Storage`.
 *
 * @example
 * const db = createHistoryDb({ storage: sessionStorage });
 * const handlers = createHistoryHandlers({ db });
 */
export function createHistoryDb(options: HistoryDbOptions = {}): HistoryDb {
  const seed = options.seed ?? createHistorySeed();
  const now = options.now ?? (() => new Date());
  const persistence = createHistoryPersistence(options.storage, options.storageKey ?? 'colloquy:history-db');
  const saved = persistence.load();
  let rows = saved ? new Map(saved.map((row) => [row.conversation.id, row])) : fromSeed(seed);
  let created = 0;
  const save = (): void => persistence.save(() => rows.values());

  const saveSoon = (): void => persistence.saveSoon(() => rows.values());
  const live = createLiveAnswers({ now, row: (id) => rows.get(id), touch, save, saveSoon });

  function touch(row: { conversation: Conversation }, at: string): void {
    row.conversation.updatedAt = at;
  }

  return {
    listConversations({ cursor, limit }) {
      const sorted = [...rows.values()].map((row) => row.conversation).sort(newestFirst);
      let start = 0;
      if (cursor) {
        const after = decodeCursor(cursor);
        if (after?.updatedAt === undefined) return undefined;
        const position = { id: after.id, updatedAt: after.updatedAt };
        start = sorted.findIndex((item) => newestFirst(item, position) > 0);
        if (start < 0) start = sorted.length;
      }
      const page = sorted.slice(start, start + limit);
      const last = page[page.length - 1];
      const more = start + limit < sorted.length && last !== undefined;
      return { conversations: clone(page), nextCursor: more ? encodeCursor({ id: last.id, updatedAt: last.updatedAt }) : null };
    },
    getConversation: (id) => clone(rows.get(id)?.conversation),
    createConversation({ id, title }) {
      const existing = id === undefined ? undefined : rows.get(id);
      if (existing) return { conversation: clone(existing.conversation), created: false };
      let newId = id;
      while (newId === undefined || rows.has(newId)) newId = `conv-${++created}`;
      const at = now().toISOString();
      const conversation = { id: newId, title: title ?? DEFAULT_CONVERSATION_TITLE, createdAt: at, updatedAt: at };
      rows.set(newId, { conversation, messages: [], autoTitle: title === undefined });
      save();
      return { conversation: clone(conversation), created: true };
    },
    renameConversation(id, title) {
      const row = rows.get(id);
      if (!row) return undefined;
      row.conversation.title = title;
      row.autoTitle = false;
      touch(row, now().toISOString());
      save();
      return clone(row.conversation);
    },
    deleteConversation(id) {
      const deleted = rows.delete(id);
      if (deleted) save();
      return deleted;
    },
    listMessages(id, { cursor, limit }) {
      const row = rows.get(id);
      if (!row) return undefined;
      let end = row.messages.length;
      if (cursor) {
        const before = decodeCursor(cursor);
        end = before === undefined ? -1 : row.messages.findIndex((message) => message.id === before.id);
        if (end < 0) return null;
      }
      const start = Math.max(0, end - limit);
      const first = row.messages[start];
      return { messages: clone(row.messages.slice(start, end)), nextCursor: start > 0 && first ? encodeCursor({ id: first.id }) : null };
    },
    messages: (conversationId) => clone(rows.get(conversationId)?.messages),
    findMessage: (conversationId, messageId) => clone(rows.get(conversationId)?.messages.find((message) => message.id === messageId)),
    answerTo: (conversationId, userMessageId) =>
      clone(rows.get(conversationId)?.messages.find((message) => message.role === 'assistant' && message.parentId === userMessageId)),
    addUserMessage(conversationId, { id, parts, parentId }) {
      const row = rows.get(conversationId);
      if (!row) throw new Error(`No conversation ${conversationId}.`);
      const known = parentId !== undefined && parentId !== null && row.messages.some((message) => message.id === parentId);
      // An unknown or absent parent means "after the newest message" (the protocol's default).
      const parent = known ? parentId : (row.messages[row.messages.length - 1]?.id ?? null);
      const at = now().toISOString();
      const message: StoredMessage = { id, parentId: parent, role: 'user', parts: clone(parts), createdAt: at, status: 'complete' };
      if (row.autoTitle && !row.messages.some((item) => item.role === 'user')) {
        row.conversation.title = conversationTitle(partsText(parts));
        row.autoTitle = false;
      }
      row.messages.push(message);
      touch(row, at);
      save();
      return clone(message);
    },
    freshMessageId(conversationId, base) {
      const taken = new Set(rows.get(conversationId)?.messages.map((message) => message.id));
      let id = base;
      for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
      return id;
    },
    live,
    reset() {
      rows = fromSeed(seed);
      live.clear();
      persistence.clear();
    },
  };
}
