import { ChatError } from '../core/index.js';
import type { SqlClient } from './sql-conversation-store.js';

/** One step of the SQL store's schema, applied once per database and recorded in `colloquy_migrations`. */
export interface SqlMigration {
  version: number;
  name: string;
  /** PL/pgSQL statements, run inside one `DO` block (one statement, so one transaction, on any client). */
  body: string;
}

/**
 * The SQL store's schema history, oldest first. Never edit a released step: append a new one.
 *
 * Conversations are keyed by `(owner_id, id)`: ids are namespaced per owner, so one user can never collide with,
 * or probe for, another user's ids. Ids use `COLLATE "C"` (code point order, whatever the database's locale) so
 * the `id` tie-break of the list order is the same everywhere. `seq` gives messages a stable insertion order
 * that message cursors name; timestamps can tie.
 */
export const SQL_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    name: 'conversations and messages',
    body: `
      CREATE TABLE colloquy_conversations (
        owner_id text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        title text NOT NULL,
        title_pending boolean NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (owner_id, id)
      );
      CREATE INDEX colloquy_conversations_by_recency ON colloquy_conversations (owner_id, updated_at, id);
      CREATE TABLE colloquy_messages (
        owner_id text COLLATE "C" NOT NULL,
        conversation_id text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        seq bigserial NOT NULL,
        parent_id text COLLATE "C",
        role text NOT NULL CHECK (role IN ('user', 'assistant')),
        parts jsonb NOT NULL CHECK (jsonb_typeof(parts) = 'array'),
        status text NOT NULL CHECK (status IN ('complete', 'error', 'cancelled', 'streaming')),
        usage jsonb,
        finish_reason text,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (owner_id, conversation_id, id),
        FOREIGN KEY (owner_id, conversation_id) REFERENCES colloquy_conversations (owner_id, id) ON DELETE CASCADE
      );
      CREATE UNIQUE INDEX colloquy_messages_by_seq ON colloquy_messages (owner_id, conversation_id, seq);
      CREATE INDEX colloquy_messages_answers ON colloquy_messages (owner_id, conversation_id, parent_id, seq)
        WHERE role = 'assistant';
    `,
  },
];

// One advisory lock for every migration run: two servers starting at once apply each step exactly once.
const LOCK_KEY = 736823947;

const ENSURE_TABLE = `CREATE TABLE IF NOT EXISTS colloquy_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`;

// DO blocks take no parameters, so the version and name are written into the text; both are constants of this
// file (checked here), never data.
function block(migration?: SqlMigration): string {
  let body = '';
  if (migration !== undefined) {
    if (!Number.isInteger(migration.version) || !/^[a-z0-9 _-]+$/.test(migration.name)) {
      throw new TypeError(`Invalid migration ${migration.version}.`);
    }
    body = `IF NOT EXISTS (SELECT 1 FROM colloquy_migrations WHERE version = ${migration.version}) THEN
      ${migration.body}
      INSERT INTO colloquy_migrations (version, name) VALUES (${migration.version}, '${migration.name}');
    END IF;`;
  }
  return `DO $colloquy$ BEGIN PERFORM pg_advisory_xact_lock(${LOCK_KEY}); ${ENSURE_TABLE} ${body} END $colloquy$`;
}

/**
 * Brings the database's schema up to date: creates `colloquy_migrations` and applies every step of
 * {@link SQL_MIGRATIONS} not yet recorded there, each atomically. Safe to call at every start, from several
 * servers at once. Tables go to the first schema of the connection's `search_path`.
 *
 * @returns the versions this call found missing (an empty list when the schema was already current).
 * @example
 * await migrate(pool);
 * const store = createSqlConversationStore({ client: pool });
 */
export async function migrate(client: SqlClient): Promise<{ applied: number[] }> {
  try {
    await client.query(block());
    const { rows } = await client.query('SELECT version FROM colloquy_migrations');
    const done = new Set(rows.map((row) => Number(row.version)));
    const pending = SQL_MIGRATIONS.filter((migration) => !done.has(migration.version));
    for (const migration of pending) await client.query(block(migration));
    return { applied: pending.map((migration) => migration.version) };
  } catch (error) {
    throw new ChatError('server_error', 'The history database could not be migrated.', { cause: error });
  }
}
