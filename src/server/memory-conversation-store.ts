import {
  DEFAULT_CONVERSATIONS_LIMIT,
  DEFAULT_CONVERSATION_TITLE,
  DEFAULT_MESSAGES_LIMIT,
  type Conversation,
  type ConversationStore,
  type StoredMessage,
} from './conversation-store.js';
import {
  checkAssistantMessage,
  checkId,
  checkLimit,
  checkNow,
  checkOwnerId,
  checkTitle,
  checkUserMessage,
  conversationNotFound,
  decodeConversationCursor,
  decodeMessageCursor,
  encodeConversationCursor,
  encodeMessageCursor,
  invalidInput,
  isRetryOf,
  messageConflict,
  titleFromParts,
} from './conversation-store-input.js';

/** Options of {@link createMemoryConversationStore}. */
export interface MemoryConversationStoreOptions {
  /** Makes the id of a conversation created without one. @defaultValue `crypto.randomUUID` */
  generateId?: () => string;
}

interface ConversationRecord {
  id: string;
  title: string;
  /** True while the title is the default one, waiting for the first user message to replace it. */
  titlePending: boolean;
  createdAt: string;
  updatedAtMs: number;
  /** In insertion order: the message at position `p` has sequence number `p + 1`, which message cursors name. */
  messages: StoredMessage[];
  positionById: Map<string, number>;
  /** Newest assistant message answering each message, so `findAnswer` needs no scan. */
  answerPositionByParent: Map<string, number>;
}

// PostgreSQL's COLLATE "C" orders by code point; JS `<` by UTF-16 unit. They differ only between astral characters
// and U+E000–U+FFFF, so compare code points to keep both stores' tie order identical.
function compareIds(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function byRecency(a: ConversationRecord, b: ConversationRecord): number {
  return b.updatedAtMs - a.updatedAtMs || compareIds(b.id, a.id);
}

function toConversation(record: ConversationRecord): Conversation {
  return { id: record.id, title: record.title, createdAt: record.createdAt, updatedAt: new Date(record.updatedAtMs).toISOString() };
}

// Copies out, so a caller mutating a returned message cannot change what is stored (the SQL store cannot either).
function copy(message: StoredMessage): StoredMessage {
  return structuredClone(message);
}

/**
 * A {@link ConversationStore} in process memory: the default, for development, tests and single-instance demos.
 * History is lost on restart and not shared between instances; use {@link createSqlConversationStore} for that.
 * Paging costs O(limit) per page however long the conversation.
 *
 * @example
 * const store = createMemoryConversationStore();
 */
export function createMemoryConversationStore(options: MemoryConversationStoreOptions = {}): ConversationStore {
  const generateId = options.generateId ?? (() => crypto.randomUUID());
  const owners = new Map<string, Map<string, ConversationRecord>>();

  function find(ownerId: string, conversationId: string): ConversationRecord | undefined {
    checkOwnerId(ownerId);
    return owners.get(ownerId)?.get(checkId(conversationId, 'conversation'));
  }

  function findOrThrow(ownerId: string, conversationId: string): ConversationRecord {
    const record = find(ownerId, conversationId);
    if (record === undefined) throw conversationNotFound();
    return record;
  }

  function touch(record: ConversationRecord, now: Date): void {
    record.updatedAtMs = Math.max(record.updatedAtMs, now.getTime());
  }

  function checkParent(record: ConversationRecord, parentId: string | null): void {
    if (parentId !== null && !record.positionById.has(parentId)) throw invalidInput('parentId names no message of this conversation.');
  }

  function answerTo(record: ConversationRecord, messageId: string): StoredMessage | null {
    const position = record.answerPositionByParent.get(messageId);
    const answer = position === undefined ? undefined : record.messages[position];
    return answer === undefined ? null : copy(answer);
  }

  return {
    async listConversations(ownerId, { cursor, limit } = {}) {
      checkOwnerId(ownerId);
      const size = checkLimit(limit, DEFAULT_CONVERSATIONS_LIMIT);
      const after = decodeConversationCursor(cursor);
      const sorted = [...(owners.get(ownerId)?.values() ?? [])].sort(byRecency);
      let start = 0;
      if (after !== null) {
        const afterMs = Date.parse(after.updatedAt);
        const index = sorted.findIndex((r) => r.updatedAtMs < afterMs || (r.updatedAtMs === afterMs && compareIds(r.id, after.id) < 0));
        start = index === -1 ? sorted.length : index;
      }
      const page = sorted.slice(start, start + size).map(toConversation);
      const last = page.at(-1);
      const nextCursor = start + size < sorted.length && last !== undefined ? encodeConversationCursor(last) : null;
      return { conversations: page, nextCursor };
    },

    async createConversation(ownerId, { id, title, now }) {
      checkOwnerId(ownerId);
      checkNow(now);
      const conversationId = checkId(id ?? generateId(), 'conversation');
      const checkedTitle = title === undefined ? null : checkTitle(title);
      let conversations = owners.get(ownerId);
      if (conversations === undefined) owners.set(ownerId, (conversations = new Map()));
      const existing = conversations.get(conversationId);
      if (existing !== undefined) return { conversation: toConversation(existing), created: false };
      const record: ConversationRecord = {
        id: conversationId,
        title: checkedTitle ?? DEFAULT_CONVERSATION_TITLE,
        titlePending: checkedTitle === null,
        createdAt: now.toISOString(),
        updatedAtMs: now.getTime(),
        messages: [],
        positionById: new Map(),
        answerPositionByParent: new Map(),
      };
      conversations.set(conversationId, record);
      return { conversation: toConversation(record), created: true };
    },

    async getConversation(ownerId, conversationId) {
      const record = find(ownerId, conversationId);
      return record === undefined ? null : toConversation(record);
    },

    async renameConversation(ownerId, conversationId, title, now) {
      checkNow(now);
      const checkedTitle = checkTitle(title);
      const record = findOrThrow(ownerId, conversationId);
      record.title = checkedTitle;
      record.titlePending = false;
      touch(record, now);
      return toConversation(record);
    },

    async deleteConversation(ownerId, conversationId) {
      checkOwnerId(ownerId);
      return owners.get(ownerId)?.delete(checkId(conversationId, 'conversation')) ?? false;
    },

    async listMessages(ownerId, conversationId, { cursor, limit } = {}) {
      const size = checkLimit(limit, DEFAULT_MESSAGES_LIMIT);
      const before = decodeMessageCursor(cursor);
      const { messages } = findOrThrow(ownerId, conversationId);
      const end = before === null ? messages.length : Math.min(Number(before) - 1, messages.length);
      const start = Math.max(0, end - size);
      return {
        messages: messages.slice(start, end).map(copy),
        nextCursor: start > 0 ? encodeMessageCursor(String(start + 1)) : null,
      };
    },

    async getMessage(ownerId, conversationId, messageId) {
      checkId(messageId, 'message');
      const record = findOrThrow(ownerId, conversationId);
      const position = record.positionById.get(messageId);
      const message = position === undefined ? undefined : record.messages[position];
      return message === undefined ? null : copy(message);
    },

    async insertUserMessage(ownerId, conversationId, message, now) {
      checkNow(now);
      const checked = checkUserMessage(message);
      const record = findOrThrow(ownerId, conversationId);
      const position = record.positionById.get(checked.id);
      const stored = position === undefined ? undefined : record.messages[position];
      if (stored !== undefined) {
        if (!isRetryOf(stored, checked)) throw messageConflict();
        return { status: 'duplicate', message: copy(stored), answer: answerTo(record, checked.id) };
      }
      const parentId = checked.parentId === undefined ? (record.messages.at(-1)?.id ?? null) : checked.parentId;
      checkParent(record, parentId);
      const inserted: StoredMessage = {
        id: checked.id,
        parentId,
        role: 'user',
        parts: checked.parts,
        createdAt: now.toISOString(),
        status: 'complete',
      };
      record.positionById.set(inserted.id, record.messages.push(inserted) - 1);
      touch(record, now);
      const title = record.titlePending ? titleFromParts(inserted.parts) : null;
      if (title !== null) {
        record.title = title;
        record.titlePending = false;
      }
      return { status: 'inserted', message: copy(inserted) };
    },

    async upsertAssistantMessage(ownerId, conversationId, message, now) {
      checkNow(now);
      const checked = checkAssistantMessage(message);
      const record = findOrThrow(ownerId, conversationId);
      const position = record.positionById.get(checked.id);
      const stored = position === undefined ? undefined : record.messages[position];
      if (stored !== undefined && stored.role !== 'assistant') throw messageConflict();
      checkParent(record, checked.parentId);
      const next: StoredMessage = {
        id: checked.id,
        parentId: stored?.parentId ?? checked.parentId,
        role: 'assistant',
        parts: checked.parts,
        createdAt: stored?.createdAt ?? now.toISOString(),
        status: stored?.status === 'cancelled' && checked.status === 'error' ? 'cancelled' : checked.status,
      };
      if (checked.usage !== undefined) next.usage = checked.usage;
      if (checked.finishReason !== undefined) next.finishReason = checked.finishReason;
      if (position !== undefined) {
        record.messages[position] = next;
      } else {
        const created = record.messages.push(next) - 1;
        record.positionById.set(next.id, created);
        if (next.parentId !== null) record.answerPositionByParent.set(next.parentId, created);
      }
      touch(record, now);
      return copy(next);
    },

    async findAnswer(ownerId, conversationId, userMessageId) {
      checkId(userMessageId, 'message');
      return answerTo(findOrThrow(ownerId, conversationId), userMessageId);
    },

    async cancelAnswer(ownerId, conversationId, messageId) {
      checkId(messageId, 'message');
      const record = findOrThrow(ownerId, conversationId);
      const position = record.positionById.get(messageId);
      let stored = position === undefined ? undefined : record.messages[position];
      if (stored === undefined || position === undefined) return null;
      if (stored.role === 'assistant' && (stored.status === 'streaming' || stored.status === 'error')) {
        record.messages[position] = stored = { ...stored, status: 'cancelled' };
      }
      return copy(stored);
    },
  };
}
