import {
  conversationTitle,
  type ChatRole,
  type Conversation,
  type ConversationPage,
  type FinishReason,
  type MessagePart,
  type Usage,
} from '../core/index.js';

// One definition shared with the client (src/core/history-wire.ts, conversation-title.ts), so the two cannot drift.
export { DEFAULT_CONVERSATION_TITLE, MAX_TITLE_LENGTH } from '../core/index.js';
export type { Conversation, ConversationPage } from '../core/index.js';

/** Lifecycle of a stored message: a `pending` message exists only in a browser, never in history. */
export type StoredMessageStatus = 'complete' | 'error' | 'cancelled' | 'streaming';

/**
 * A chat message as stored: assignable to `ChatMessage`, with the roles and statuses history can hold.
 * @see docs/protocol.md, "Resources"
 */
export interface StoredMessage {
  id: string;
  /** The message it follows; `null` for the first. */
  parentId: string | null;
  role: 'user' | 'assistant';
  /** Returned as stored, unknown part types included (JSON values: object key order is not kept). */
  parts: MessagePart[];
  /** ISO 8601, set by the store from the `now` of the call that created the message. */
  createdAt: string;
  status: StoredMessageStatus;
  usage?: Usage;
  finishReason?: FinishReason;
}

/** Which page to read: `cursor` is a previous page's `nextCursor` (absent, `null` or `''` for the first page). */
export interface PageOptions {
  cursor?: string | null;
  /** Page size, an integer from 1 to {@link MAX_PAGE_LIMIT}. @defaultValue 50 for conversations, 100 for messages */
  limit?: number;
}

/** One page of messages, oldest first within the page; pages go backwards in time. */
export interface StoredMessagePage {
  messages: StoredMessage[];
  /** Pass back as `cursor` for the page of messages older than these; `null` when there is nothing more. */
  nextCursor: string | null;
}

/** Input of {@link ConversationStore.createConversation}. */
export interface CreateConversationInput {
  /** Client-chosen id, the idempotency key. @defaultValue `crypto.randomUUID()` */
  id?: string;
  /** 1–200 characters after trimming. @defaultValue `New conversation` until the first user message titles it */
  title?: string;
  now: Date;
}

/** Result of {@link ConversationStore.createConversation}: `created` is false when the id already existed. */
export interface CreateConversationResult {
  conversation: Conversation;
  created: boolean;
}

/** A user message to store: the validated request's message. */
export interface UserMessageInput {
  id: string;
  /** Only `user` is accepted; present so a wire message can be passed as is. @defaultValue 'user' */
  role?: ChatRole;
  parts: MessagePart[];
  /** Must name a message of the conversation, or be `null` for a root. @defaultValue the newest stored message */
  parentId?: string | null;
}

/**
 * Result of {@link ConversationStore.insertUserMessage}. A `duplicate` is a retry of a stored message with the
 * same content: nothing was written, and `answer` is the stored answer to it, if any.
 */
export type InsertUserMessageResult =
  | { status: 'inserted'; message: StoredMessage }
  | { status: 'duplicate'; message: StoredMessage; answer: StoredMessage | null };

/** An assistant message as it streams: written whole each time (usage and finish reason absent means none). */
export interface AssistantMessageInput {
  id: string;
  /** The user message it answers; used when the message is created, kept as stored on later updates. */
  parentId: string | null;
  parts: MessagePart[];
  status: StoredMessageStatus;
  usage?: Usage;
  finishReason?: FinishReason;
}

/**
 * Persistence of conversation history, one implementation per backend ({@link createMemoryConversationStore},
 * {@link createSqlConversationStore}); the history handlers depend on this interface only.
 *
 * Every method takes the authorised user's `ownerId` first. Conversation ids are namespaced per owner, so a
 * conversation of another owner behaves exactly like a missing one: `getConversation` returns `null`,
 * `deleteConversation` returns `false`, and every other method that names a conversation throws
 * `ChatError('not_found')`. A missing message inside an existing conversation is `null`.
 * Malformed input (empty or over-long ids, bad limits, unreadable cursors, text PostgreSQL cannot store such as
 * U+0000 or lone surrogates) throws `ChatError('invalid_input')`; a malformed `ownerId` or `now` is a
 * programmer error and throws `TypeError`. Times always come in as `now`: stores never read the clock.
 *
 * @example
 * const store = createMemoryConversationStore();
 * const { conversation } = await store.createConversation(userId, { now: new Date() });
 * await store.insertUserMessage(userId, conversation.id, { id: 'u1', parts }, new Date());
 * @see docs/protocol.md, "History endpoints"
 */
export interface ConversationStore {
  /** The owner's conversations, newest `updatedAt` first, ties by `id` descending. */
  listConversations(ownerId: string, options?: PageOptions): Promise<ConversationPage>;
  /**
   * Creates a conversation, or returns the owner's existing one with that id unchanged (`created: false`;
   * a different `title` is ignored). Another owner's conversation with the same id is a different conversation.
   */
  createConversation(ownerId: string, input: CreateConversationInput): Promise<CreateConversationResult>;
  /** The conversation, or `null` when it does not exist for this owner. */
  getConversation(ownerId: string, conversationId: string): Promise<Conversation | null>;
  /** Sets the title (trimmed, 1–200 characters) and bumps `updatedAt`; the title is then never derived. */
  renameConversation(ownerId: string, conversationId: string, title: string, now: Date): Promise<Conversation>;
  /** Deletes the conversation and all its messages; `false` when it did not exist for this owner. */
  deleteConversation(ownerId: string, conversationId: string): Promise<boolean>;
  /** A page of messages: the first page is the newest `limit`, each page oldest first, `nextCursor` goes older. */
  listMessages(ownerId: string, conversationId: string, options?: PageOptions): Promise<StoredMessagePage>;
  /** One message, or `null` when the conversation has no message with that id. */
  getMessage(ownerId: string, conversationId: string, messageId: string): Promise<StoredMessage | null>;
  /**
   * Stores a user message (status `complete`) unless its id is already stored. A stored message with the same
   * role and parts is a `duplicate` (nothing written); with other parts or another role it throws
   * `ChatError('conflict')`. A new message bumps `updatedAt` and, while the conversation still has its default
   * title, titles it with {@link deriveTitle}.
   * @see docs/protocol.md, "Sending a message", rule 3
   */
  insertUserMessage(
    ownerId: string,
    conversationId: string,
    message: UserMessageInput,
    now: Date,
  ): Promise<InsertUserMessageResult>;
  /**
   * Creates the assistant message (`createdAt` = `now`) or rewrites it in place by id: parts, status, usage and
   * finish reason, so retries and regenerations keep one row. Bumps `updatedAt`. A `cancelled` message stays
   * `cancelled` when the update says `error` (a stop and the disconnect it causes may arrive in either order).
   * An id held by a user message throws `ChatError('conflict')`.
   * @see docs/protocol.md, "Stopping, disconnecting and truncation"
   */
  upsertAssistantMessage(
    ownerId: string,
    conversationId: string,
    message: AssistantMessageInput,
    now: Date,
  ): Promise<StoredMessage>;
  /** The newest assistant message whose `parentId` is `userMessageId`, or `null` when it has no answer yet. */
  findAnswer(ownerId: string, conversationId: string, userMessageId: string): Promise<StoredMessage | null>;
  /**
   * Marks an assistant answer `cancelled` if it is `streaming` or `error` (the user pressed Stop); any other
   * message is left as is. Returns the message as stored afterwards, or `null` when there is none.
   */
  cancelAnswer(ownerId: string, conversationId: string, messageId: string): Promise<StoredMessage | null>;
}

/** Largest page a list call returns. */
export const MAX_PAGE_LIMIT = 200;
/** Page size of `listConversations` when none is given. */
export const DEFAULT_CONVERSATIONS_LIMIT = 50;
/** Page size of `listMessages` when none is given. */
export const DEFAULT_MESSAGES_LIMIT = 100;
/** Longest id (owner, conversation or message), in UTF-16 units: keeps every key well inside a btree entry. */
export const MAX_ID_LENGTH = 256;

/**
 * The title of a conversation from its first user message's text: whitespace collapsed, cut on a word boundary
 * at 60 code points with `…` appended, or `New conversation` when the text is empty. It is the client's
 * `conversationTitle`, so an optimistic title never changes when the server's copy arrives.
 *
 * @example
 * deriveTitle('  What is\n\nSSE? '); // 'What is SSE?'
 * @see docs/protocol.md, "History endpoints"
 */
export function deriveTitle(text: string): string {
  return conversationTitle(text);
}
