/**
 * @module store/postgres/migrate-postgres
 * The schema on Postgres: the same kysely migrations as SQLite (store/migrations), applied under
 * an advisory lock so replicas starting together migrate once: the first takes the lock and
 * migrates, the others wait for it and then find nothing left to do. The lock is keyed by the
 * schema, so two gateways in different schemas of one database do not wait for each other.
 *
 * Migrations run on a small pool of their own (the lock holds one connection for the whole run,
 * while kysely's migrator takes another), so the store's pool may be as small as it likes.
 */
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, sql, type DatabaseIntrospector, type DialectAdapter, type TableMetadata } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { migrationProvider } from '../migrations/index.js';
import { StoreUnavailableError } from '../store-unavailable.js';
import { describePostgresFault, isPostgresFault, redactUrl } from './postgres-faults.js';

/** Tables kysely keeps its own bookkeeping in (the migrations applied, and its lock row). */
const MIGRATION_TABLE = 'kysely_migration';

/**
 * Brings the schema the URL points at (its `search_path`, usually `public`) to the latest
 * migration; returns the names of the migrations it applied (none when another replica did).
 * For `wabridge migrate`, and for the storage at start unless told not to.
 */
export async function migratePostgres(url: string, logger?: Logger): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: url, max: 2, application_name: 'wabridge-migrate', connectionTimeoutMillis: 10_000 });
  // A connection dropping (idle, or checked out by kysely or the lock) fails its query, which
  // reports it; its 'error' event, unheard, would end the process.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    const lockHolder = await pool.connect().catch((error: unknown) => {
      throw unavailable(url, error);
    });
    try {
      const schema = await currentSchema(lockHolder, url);
      await lockHolder.query(`SELECT pg_advisory_lock(hashtextextended('wabridge.migrations:' || $1, 0))`, [schema]);
      try {
        const applied = await migrateToLatest(pool, schema, logger);
        // A schema just made has no planner statistics until autovacuum's first pass (a minute or
        // more): until then the hot queries plan as if tables were empty, ten times slower.
        if (applied.length > 0) {
          const { rows } = await lockHolder.query<{ name: string }>(`SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = $1`, [schema]);
          if (rows.length > 0) await lockHolder.query(`ANALYZE ${rows.map((row) => row.name).join(', ')}`);
        }
        return applied;
      } finally {
        await lockHolder.query(`SELECT pg_advisory_unlock(hashtextextended('wabridge.migrations:' || $1, 0))`, [schema]);
      }
    } finally {
      lockHolder.release();
    }
  } finally {
    await pool.end();
  }
}

/**
 * For a storage started with `migrate: false`: refuses a schema that is missing migrations
 * this version needs, naming them, instead of failing later on a missing table or column.
 */
export async function assertMigrated(pool: pg.Pool, url: string): Promise<void> {
  const client = await pool.connect().catch((error: unknown) => {
    throw unavailable(url, error);
  });
  const ignore = () => {}; // a connection lost while checked out fails its query; unheard, its 'error' event would end the process
  client.on('error', ignore);
  try {
    const schema = await currentSchema(client, url);
    const { rows } = await client.query<{ present: boolean }>(`SELECT to_regclass(quote_ident($1) || '.${MIGRATION_TABLE}') IS NOT NULL AS present`, [schema]);
    const applied = new Set<string>();
    if (rows[0]?.present) {
      const names = await client.query<{ name: string }>(`SELECT name FROM ${MIGRATION_TABLE}`);
      for (const { name } of names.rows) applied.add(name);
    }
    const pending = Object.keys(await migrationProvider.getMigrations())
      .sort()
      .filter((name) => !applied.has(name));
    if (pending.length > 0) {
      throw new StoreUnavailableError(
        `the Postgres schema "${schema}" at ${redactUrl(url)} is not at the latest migration (missing: ${pending.join(', ')}); ` +
          'run `wabridge migrate`, or start with store.migrate enabled',
      );
    }
  } finally {
    client.removeListener('error', ignore);
    client.release();
  }
}

async function migrateToLatest(pool: pg.Pool, schema: string, logger: Logger | undefined): Promise<string[]> {
  // Kysely must not end the pool when it is destroyed: the caller owns it.
  const borrowed = { connect: () => pool.connect(), end: async () => {} };
  const db = new Kysely<unknown>({ dialect: new OneSchemaPostgresDialect(schema, { pool: borrowed }) });
  try {
    // The bookkeeping tables live in the schema being migrated (kysely would otherwise take a
    // `kysely_migration` of any schema in the database for its own).
    const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: schema });
    const { error, results = [] } = await migrator.migrateToLatest();
    if (error) {
      const failed = results.find((result) => result.status === 'Error');
      if (isPostgresFault(error)) throw new StoreUnavailableError(`cannot migrate the Postgres schema "${schema}": ${describePostgresFault(error)}`, { cause: error });
      throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`, { cause: error });
    }
    const applied = results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
    if (applied.length > 0) logger?.info({ schema, migrations: applied }, 'migrated the Postgres schema');
    return applied;
  } finally {
    await db.destroy();
  }
}

/**
 * Kysely's Postgres dialect, scoped to the schema being migrated. Its migrator looks for its
 * bookkeeping tables in that schema only (kysely's own introspector reads every table of every
 * schema: slow in a database of many schemas, and it fails when another schema is dropped while
 * it reads). And it takes no lock of its own: kysely's is one advisory lock for the whole
 * database, which would make gateways in different schemas wait for each other, while
 * `migratePostgres` already holds this schema's.
 */
class OneSchemaPostgresDialect extends PostgresDialect {
  readonly #schema: string;

  constructor(schema: string, config: ConstructorParameters<typeof PostgresDialect>[0]) {
    super(config);
    this.#schema = schema;
  }

  override createAdapter(): DialectAdapter {
    return new SchemaLockedPostgresAdapter();
  }

  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    const schema = this.#schema;
    const getTables = async (): Promise<TableMetadata[]> => {
      const { rows } = await sql<{ name: string }>`
        SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p')`.execute(db);
      return rows.map((row) => ({ name: row.name, schema, isView: false, columns: [] }));
    };
    return {
      getSchemas: async () => (await sql<{ name: string }>`SELECT nspname AS name FROM pg_namespace WHERE nspname = ${schema}`.execute(db)).rows,
      getTables,
      getMetadata: async () => ({ tables: await getTables() }),
    };
  }
}

/** Postgres, with the migration lock taken by the caller (the schema's advisory lock). */
class SchemaLockedPostgresAdapter extends PostgresAdapter {
  override async acquireMigrationLock(): Promise<void> {}
  override async releaseMigrationLock(): Promise<void> {}
}

async function currentSchema(client: pg.PoolClient, url: string): Promise<string> {
  const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  const schema = rows[0]?.schema;
  if (!schema) throw new StoreUnavailableError(`the search_path of ${redactUrl(url)} names no schema that exists; create it first`);
  return schema;
}

function unavailable(url: string, error: unknown): Error {
  if (!isPostgresFault(error)) return error as Error;
  return new StoreUnavailableError(`cannot use the Postgres store ${redactUrl(url)}: ${describePostgresFault(error)}`, { cause: error });
}
