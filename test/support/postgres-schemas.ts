/**
 * Migrated Postgres schemas for the conformance suites, recycled: migrating a fresh schema costs
 * about half a second, and the suites open a few hundred storages. A schema given back is
 * emptied (every table truncated, ids restarted) and handed to the next test, which sees exactly
 * what a new database would hold; the schemas are dropped when the test file ends.
 */
import { admin, createTestSchema, type TestSchema } from '../../src/store/postgres/postgres-test-schema.js';

export interface PooledSchema extends TestSchema {
  /** Whether its tables exist already (a storage may open it without migrating). */
  migrated: boolean;
}

const idle: PooledSchema[] = [];
const all: PooledSchema[] = [];

/** A schema with no rows: a new one (`migrated` false), or an emptied one a test gave back. */
export async function takeSchema(prefix: string): Promise<PooledSchema> {
  const recycled = idle.pop();
  if (recycled) return recycled;
  const schema = { ...(await createTestSchema(prefix)), migrated: false };
  all.push(schema);
  return schema;
}

/** Empties `schema` (its tables stay, migrated) and keeps it for the next test. */
export async function giveBack(schema: PooledSchema): Promise<void> {
  const { rows } = await admin(
    `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = $1 AND tablename NOT LIKE 'kysely_migration%'`,
    [schema.name],
  );
  if (rows.length > 0) await admin(`TRUNCATE ${rows.map((row) => `${schema.name}.${row.name}`).join(', ')} RESTART IDENTITY`);
  schema.migrated = rows.length > 0;
  idle.push(schema);
}

/** Drops every schema this process made (call from the test file's afterAll). */
export async function dropSchemas(): Promise<void> {
  idle.length = 0;
  await Promise.all(all.splice(0).map((schema) => schema.drop()));
}
