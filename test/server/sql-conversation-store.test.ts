import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlConversationStore, type SqlClient } from '../../src/server/sql-conversation-store.js';
import { migrate, SQL_MIGRATIONS } from '../../src/server/sql-migrations.js';
import { describeConversationStore } from './conversation-store.contract.js';

const TABLES = ['colloquy_conversations', 'colloquy_messages', 'colloquy_migrations'];

/** Migration and driver checks every backend runs; `client` is ready and migrated once before them. */
function describeMigrations(getClient: () => SqlClient, getFirstRun: () => { applied: number[] }) {
  describe('migrate', () => {
    it('applies every version on a fresh database, then is a no-op', async () => {
      const client = getClient();
      expect(getFirstRun().applied).toEqual(SQL_MIGRATIONS.map((m) => m.version));
      const store = createSqlConversationStore({ client });
      await store.createConversation('alice', { id: 'kept', now: new Date(0) });
      expect(await migrate(client)).toEqual({ applied: [] });
      expect(await migrate(client)).toEqual({ applied: [] });
      const { rows } = await client.query('SELECT version, name FROM colloquy_migrations ORDER BY version');
      expect(rows).toEqual(SQL_MIGRATIONS.map(({ version, name }) => ({ version, name })));
      expect(await store.getConversation('alice', 'kept')).not.toBeNull();
      await store.deleteConversation('alice', 'kept');
    });

    it('creates the tables and the indexes the list queries use', async () => {
      const { rows } = await getClient().query(
        `SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename LIKE 'colloquy_%' ORDER BY indexname`,
      );
      expect(new Set(rows.map((r) => r.tablename))).toEqual(new Set(TABLES));
      expect(rows.map((r) => r.indexname)).toEqual(
        expect.arrayContaining(['colloquy_conversations_by_recency', 'colloquy_messages_by_seq', 'colloquy_messages_answers']),
      );
    });

    it('turns driver failures into a server_error without leaking SQL', async () => {
      const failing: SqlClient = { query: () => Promise.reject(new Error('relation "colloquy_messages" does not exist at SELECT …')) };
      const store = createSqlConversationStore({ client: failing });
      const error = await store.listConversations('alice').catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ChatError', code: 'server_error', message: 'The history store failed.' });
    });
  });
}

describe('SQL store on PGlite (embedded, always runs)', () => {
  let db: PGlite;
  let firstRun: { applied: number[] };
  beforeAll(async () => {
    const started = performance.now();
    db = new PGlite();
    await db.waitReady;
    const ready = performance.now();
    firstRun = await migrate(db);
    console.info(`PGlite cold start ${Math.round(ready - started)} ms, migrate ${Math.round(performance.now() - ready)} ms`);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  describeMigrations(() => db, () => firstRun);
  describeConversationStore('SQL on PGlite', async () => {
    await db.query('TRUNCATE colloquy_conversations CASCADE');
    return createSqlConversationStore({ client: db });
  });
});

const databaseUrl = process.env.DATABASE_URL;

describe.skipIf(!databaseUrl)(
  databaseUrl ? 'SQL store on PostgreSQL (DATABASE_URL, through a pg Pool)' : 'SQL store on PostgreSQL: skipped, DATABASE_URL is not set',
  () => {
    // A schema per run: parallel CI jobs sharing one database never see each other's tables.
    const schema = `colloquy_test_${process.pid}_${Date.now()}`;
    let pool: pg.Pool;
    let firstRun: { applied: number[] };
    beforeAll(async () => {
      pool = new pg.Pool({ connectionString: databaseUrl, max: 4, options: `-c search_path=${schema}` });
      await pool.query(`CREATE SCHEMA ${schema}`);
      // Two servers starting at once: the advisory lock lets exactly one apply each step.
      const [a, b] = await Promise.all([migrate(pool), migrate(pool)]);
      firstRun = { applied: [...new Set([...a.applied, ...b.applied])] };
    }, 30_000);
    afterAll(async () => {
      await pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool?.end();
    });

    describeMigrations(() => pool, () => firstRun);
    describeConversationStore('SQL on PostgreSQL', async () => {
      await pool.query('TRUNCATE colloquy_conversations CASCADE');
      return createSqlConversationStore({ client: pool });
    });
  },
);

if (!databaseUrl) {
  console.info('PostgreSQL variant skipped: set DATABASE_URL=postgres://user:pass@host:5432/db to run the contract on a real server.');
}
