import { ChatError, isChatError, type Usage } from '../core/index.js';
import {
  DEFAULT_CONVERSATIONS_LIMIT,
  DEFAULT_CONVERSATION_TITLE,
  DEFAULT_MESSAGES_LIMIT,
  type Conversation,
  type ConversationStore,
  type StoredMessage,
  type StoredMessageStatus,
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
  STORED_MESSAGE_STATUSES,
  titleFromParts,
} from './conversation-store-input.js';

/** A row as a driver returns it: read field by field, never trusted. */
export type SqlRow = Record<string, unknown>;

/**
 * The one method the SQL store needs from a PostgreSQL driver. `pg`'s `Pool` and `Client` and PGlite's
 * `PGlite` implement it as they are. Each call must be one statement: the store never opens a transaction, so a
 * pool may run every call on a different connection.
 *
 * @example
 * const client: SqlClient = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 */
export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: SqlRow[] }>;
}

/** Options of {@link createSqlConversationStore}. */
export interface SqlConversationStoreOptions {
  /** A `pg` `Pool`/`Client` or a PGlite instance, on a database prepared by `migrate(client)`. */
  client: SqlClient;
  /** Makes the id of a conversation created without one. @defaultValue `crypto.randomUUID` */
  generateId?: () => string;
}

const CONVERSATION = 'id, title, created_at, updated_at';
// `seq` as text: pg returns bigint as a string and PGlite as a number. Under another name, because an output
// column called `seq` would capture `ORDER BY seq` and sort the text ('99' after '100').
const MESSAGE = 'seq::text AS position, id, parent_id, role, parts, status, usage, finish_reason, created_at';
const M_MESSAGE = 'm.seq::text AS position, m.id, m.parent_id, m.role, m.parts, m.status, m.usage, m.finish_reason, m.created_at';

function corrupt(column: string): ChatError {
  return new ChatError('server_error', `Stored history could not be read (${column}).`);
}

function readString(row: SqlRow, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw corrupt(column);
  return value;
}

function readTime(row: SqlRow, column: string): string {
  const value = row[column];
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) throw corrupt(column);
  return date.toISOString();
}

// Drivers parse jsonb by default; one configured not to hands over the JSON text.
function readJson(row: SqlRow, column: string): unknown {
  const value = row[column];
  return typeof value === 'string' ? JSON.parse(value) : value;
}

function readUsage(value: unknown): Usage {
  const { promptTokens, completionTokens, totalTokens } = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof Usage, unknown>>;
  if (typeof promptTokens !== 'number' || typeof completionTokens !== 'number' || typeof totalTokens !== 'number') throw corrupt('usage');
  return { promptTokens, completionTokens, totalTokens };
}

function readConversation(row: SqlRow): Conversation {
  return { id: readString(row, 'id'), title: readString(row, 'title'), createdAt: readTime(row, 'created_at'), updatedAt: readTime(row, 'updated_at') };
}

function readMessage(row: SqlRow): StoredMessage {
  const role = row.role;
  const status = row.status as StoredMessageStatus;
  const parts = readJson(row, 'parts');
  if (role !== 'user' && role !== 'assistant') throw corrupt('role');
  if (!STORED_MESSAGE_STATUSES.includes(status)) throw corrupt('status');
  if (!Array.isArray(parts)) throw corrupt('parts');
  const parentId = row.parent_id === null ? null : readString(row, 'parent_id');
  const message: StoredMessage = { id: readString(row, 'id'), parentId, role, parts, createdAt: readTime(row, 'created_at'), status };
  const usage = readJson(row, 'usage');
  if (usage !== null && usage !== undefined) message.usage = readUsage(usage);
  if (row.finish_reason !== null && row.finish_reason !== undefined) message.finishReason = readString(row, 'finish_reason');
  return message;
}

/**
 * A {@link ConversationStore} on PostgreSQL (15+) or PGlite, through any {@link SqlClient}. Run `migrate(client)`
 * first. Every query is parameterised and every operation is one statement, so it is safe on a connection pool
 * and under concurrent requests (two identical sends store one row). The store never imports a driver.
 *
 * @example
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const store = createSqlConversationStore({ client: pool });
 */
export function createSqlConversationStore(options: SqlConversationStoreOptions): ConversationStore {
  const generateId = options.generateId ?? (() => crypto.randomUUID());

  // Driver failures (connection lost, constraint surprises) become server_error: a raw driver error can carry
  // SQL and connection details that must never reach a response body.
  async function query(sql: string, params: unknown[]): Promise<SqlRow[]> {
    try {
      return (await options.client.query(sql, params)).rows;
    } catch (error) {
      if (isChatError(error)) throw error;
      throw new ChatError('server_error', 'The history store failed.', { cause: error });
    }
  }

  // One round trip: the conversation if it is the owner's, joined to the message `messageId` if there is one.
  async function lookUp(ownerId: string, conversationId: string, messageId: string): Promise<StoredMessage | null> {
    const rows = await query(
      `SELECT ${M_MESSAGE} FROM colloquy_conversations c
       LEFT JOIN colloquy_messages m ON m.owner_id = c.owner_id AND m.conversation_id = c.id AND m.id = $3
       WHERE c.owner_id = $1 AND c.id = $2`,
      [ownerId, conversationId, messageId],
    );
    const row = rows[0];
    if (row === undefined) throw conversationNotFound();
    return row.id === null ? null : readMessage(row);
  }

  async function answerTo(ownerId: string, conversationId: string, messageId: string): Promise<StoredMessage | null> {
    const rows = await query(
      `SELECT ${M_MESSAGE} FROM colloquy_conversations c
       LEFT JOIN LATERAL (
         SELECT * FROM colloquy_messages
         WHERE owner_id = c.owner_id AND conversation_id = c.id AND parent_id = $3 AND role = 'assistant'
         ORDER BY seq DESC LIMIT 1
       ) m ON true
       WHERE c.owner_id = $1 AND c.id = $2`,
      [ownerId, conversationId, messageId],
    );
    const row = rows[0];
    if (row === undefined) throw conversationNotFound();
    return row.id === null ? null : readMessage(row);
  }

  return {
    async listConversations(ownerId, { cursor, limit } = {}) {
      checkOwnerId(ownerId);
      const size = checkLimit(limit, DEFAULT_CONVERSATIONS_LIMIT);
      const after = decodeConversationCursor(cursor);
      // Fetch one more than the page: it says whether there is a next page without a count.
      const rows =
        after === null
          ? await query(
              `SELECT ${CONVERSATION} FROM colloquy_conversations WHERE owner_id = $1
               ORDER BY updated_at DESC, id DESC LIMIT $2`,
              [ownerId, size + 1],
            )
          : await query(
              `SELECT ${CONVERSATION} FROM colloquy_conversations
               WHERE owner_id = $1 AND (updated_at, id) < ($2::timestamptz, $3::text COLLATE "C")
               ORDER BY updated_at DESC, id DESC LIMIT $4`,
              [ownerId, after.updatedAt, after.id, size + 1],
            );
      const conversations = rows.slice(0, size).map(readConversation);
      const last = conversations.at(-1);
      return { conversations, nextCursor: rows.length > size && last !== undefined ? encodeConversationCursor(last) : null };
    },

    async createConversation(ownerId, { id, title, now }) {
      checkOwnerId(ownerId);
      checkNow(now);
      const conversationId = checkId(id ?? generateId(), 'conversation');
      const checkedTitle = title === undefined ? null : checkTitle(title);
      const params = [ownerId, conversationId, checkedTitle ?? DEFAULT_CONVERSATION_TITLE, checkedTitle === null, now.toISOString()];
      // The second attempt covers a concurrent create that committed after this statement's snapshot.
      for (let attempt = 0; attempt < 2; attempt++) {
        const [row] = await query(
          `WITH inserted AS (
             INSERT INTO colloquy_conversations (owner_id, id, title, title_pending, created_at, updated_at)
             VALUES ($1::text, $2::text, $3::text, $4::boolean, $5::timestamptz, $5::timestamptz)
             ON CONFLICT (owner_id, id) DO NOTHING
             RETURNING ${CONVERSATION}
           )
           SELECT ${CONVERSATION}, true AS created FROM inserted
           UNION ALL
           SELECT ${CONVERSATION}, false FROM colloquy_conversations
           WHERE owner_id = $1 AND id = $2 AND NOT EXISTS (SELECT 1 FROM inserted)`,
          params,
        );
        if (row !== undefined) return { conversation: readConversation(row), created: row.created === true };
      }
      throw new ChatError('server_error', 'The conversation could not be created.');
    },

    async getConversation(ownerId, conversationId) {
      checkOwnerId(ownerId);
      checkId(conversationId, 'conversation');
      const [row] = await query(`SELECT ${CONVERSATION} FROM colloquy_conversations WHERE owner_id = $1 AND id = $2`, [
        ownerId,
        conversationId,
      ]);
      return row === undefined ? null : readConversation(row);
    },

    async renameConversation(ownerId, conversationId, title, now) {
      checkNow(now);
      const checkedTitle = checkTitle(title);
      checkOwnerId(ownerId);
      checkId(conversationId, 'conversation');
      const [row] = await query(
        `UPDATE colloquy_conversations
         SET title = $3, title_pending = false, updated_at = GREATEST(updated_at, $4::timestamptz)
         WHERE owner_id = $1 AND id = $2 RETURNING ${CONVERSATION}`,
        [ownerId, conversationId, checkedTitle, now.toISOString()],
      );
      if (row === undefined) throw conversationNotFound();
      return readConversation(row);
    },

    async deleteConversation(ownerId, conversationId) {
      checkOwnerId(ownerId);
      checkId(conversationId, 'conversation');
      // Messages go with it: ON DELETE CASCADE.
      const rows = await query('DELETE FROM colloquy_conversations WHERE owner_id = $1 AND id = $2 RETURNING id', [ownerId, conversationId]);
      return rows.length > 0;
    },

    async listMessages(ownerId, conversationId, { cursor, limit } = {}) {
      const size = checkLimit(limit, DEFAULT_MESSAGES_LIMIT);
      const before = decodeMessageCursor(cursor);
      checkOwnerId(ownerId);
      checkId(conversationId, 'conversation');
      const rows =
        before === null
          ? await query(
              `SELECT ${MESSAGE} FROM colloquy_messages WHERE owner_id = $1 AND conversation_id = $2
               ORDER BY seq DESC LIMIT $3`,
              [ownerId, conversationId, size + 1],
            )
          : await query(
              `SELECT ${MESSAGE} FROM colloquy_messages WHERE owner_id = $1 AND conversation_id = $2 AND seq < $3::bigint
               ORDER BY seq DESC LIMIT $4`,
              [ownerId, conversationId, before, size + 1],
            );
      // No rows may mean no conversation: only then is a second query needed.
      if (rows.length === 0) await lookUp(ownerId, conversationId, '');
      const page = rows.slice(0, size).reverse();
      const oldest = page[0];
      return {
        messages: page.map(readMessage),
        nextCursor: rows.length > size && oldest !== undefined ? encodeMessageCursor(readString(oldest, 'position')) : null,
      };
    },

    async getMessage(ownerId, conversationId, messageId) {
      checkOwnerId(ownerId);
      checkId(conversationId, 'conversation');
      return lookUp(ownerId, conversationId, checkId(messageId, 'message'));
    },

    async insertUserMessage(ownerId, conversationId, message, now) {
      checkNow(now);
      const checked = checkUserMessage(message);
      checkOwnerId(ownerId);
      checkId(conversationId, 'conversation');
      const retry = async (stored: StoredMessage) => {
        if (!isRetryOf(stored, checked)) throw messageConflict();
        return { status: 'duplicate' as const, message: stored, answer: await answerTo(ownerId, conversationId, checked.id) };
      };
      const stored = await lookUp(ownerId, conversationId, checked.id);
      if (stored !== null) return retry(stored);
      const [row] = await query(
        `WITH conversation AS (
           SELECT 1 FROM colloquy_conversations WHERE owner_id = $1::text AND id = $2::text
         ), parent AS (
           SELECT CASE WHEN $4::boolean
             THEN (SELECT id FROM colloquy_messages WHERE owner_id = $1 AND conversation_id = $2 ORDER BY seq DESC LIMIT 1)
             ELSE $5::text END AS id
         ), inserted AS (
           INSERT INTO colloquy_messages (owner_id, conversation_id, id, parent_id, role, parts, status, created_at)
           SELECT $1, $2, $3::text, parent.id, 'user', $6::jsonb, 'complete', $7::timestamptz
           FROM conversation, parent
           WHERE parent.id IS NULL
              OR EXISTS (SELECT 1 FROM colloquy_messages WHERE owner_id = $1 AND conversation_id = $2 AND id = parent.id)
           ON CONFLICT (owner_id, conversation_id, id) DO NOTHING
           RETURNING ${MESSAGE}
         ), touched AS (
           UPDATE colloquy_conversations
           SET updated_at = GREATEST(updated_at, $7::timestamptz),
               title = CASE WHEN title_pending AND $8::text IS NOT NULL THEN $8::text ELSE title END,
               title_pending = title_pending AND $8::text IS NULL
           WHERE owner_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM inserted)
         )
         SELECT * FROM inserted`,
        [
          ownerId,
          conversationId,
          checked.id,
          checked.parentId === undefined,
          checked.parentId ?? null,
          JSON.stringify(checked.parts),
          now.toISOString(),
          titleFromParts(checked.parts),
        ],
      );
      if (row !== undefined) return { status: 'inserted', message: readMessage(row) };
      // Nothing inserted: a concurrent send of the same id won, the conversation went, or the parent is unknown.
      const winner = await lookUp(ownerId, conversationId, checked.id);
      if (winner !== null) return retry(winner);
      throw invalidInput('parentId names no message of this conversation.');
    },

    async upsertAssistantMessage(ownerId, conversationId, message, now) {
      checkNow(now);
      const checked = checkAssistantMessage(message);
      checkOwnerId(ownerId);
      checkId(conversationId, 'conversation');
      const [row] = await query(
        `WITH conversation AS (
           SELECT 1 FROM colloquy_conversations WHERE owner_id = $1::text AND id = $2::text
         ), saved AS (
           INSERT INTO colloquy_messages AS m
             (owner_id, conversation_id, id, parent_id, role, parts, status, usage, finish_reason, created_at)
           SELECT $1, $2, $3::text, $4::text, 'assistant', $5::jsonb, $6::text, $7::jsonb, $8::text, $9::timestamptz
           FROM conversation
           WHERE $4::text IS NULL
              OR EXISTS (SELECT 1 FROM colloquy_messages WHERE owner_id = $1 AND conversation_id = $2 AND id = $4::text)
           ON CONFLICT (owner_id, conversation_id, id) DO UPDATE SET
             parts = EXCLUDED.parts,
             -- A stop may be recorded before the disconnect it causes: the answer stays cancelled.
             status = CASE WHEN m.status = 'cancelled' AND EXCLUDED.status = 'error' THEN 'cancelled' ELSE EXCLUDED.status END,
             usage = EXCLUDED.usage,
             finish_reason = EXCLUDED.finish_reason
           WHERE m.role = 'assistant'
           RETURNING ${MESSAGE}
         ), touched AS (
           UPDATE colloquy_conversations SET updated_at = GREATEST(updated_at, $9::timestamptz)
           WHERE owner_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM saved)
         )
         SELECT * FROM saved`,
        [
          ownerId,
          conversationId,
          checked.id,
          checked.parentId,
          JSON.stringify(checked.parts),
          checked.status,
          checked.usage === undefined ? null : JSON.stringify(checked.usage),
          checked.finishReason ?? null,
          now.toISOString(),
        ],
      );
      if (row !== undefined) return readMessage(row);
      // Nothing saved: no such conversation, the id is a user message's, or the parent is unknown.
      const stored = await lookUp(ownerId, conversationId, checked.id);
      if (stored !== null && stored.role !== 'assistant') throw messageConflict();
      throw invalidInput('parentId names no message of this conversation.');
    },

    async findAnswer(ownerId, conversationId, userMessageId) {
      checkOwnerId(ownerId);
      checkId(conversationId, 'conversation');
      return answerTo(ownerId, conversationId, checkId(userMessageId, 'message'));
    },

    async cancelAnswer(ownerId, conversationId, messageId) {
      checkOwnerId(ownerId);
      checkId(conversationId, 'conversation');
      checkId(messageId, 'message');
      const [row] = await query(
        `UPDATE colloquy_messages SET status = 'cancelled'
         WHERE owner_id = $1 AND conversation_id = $2 AND id = $3 AND role = 'assistant' AND status IN ('streaming', 'error')
         RETURNING ${MESSAGE}`,
        [ownerId, conversationId, messageId],
      );
      return row === undefined ? lookUp(ownerId, conversationId, messageId) : readMessage(row);
    },
  };
}
