/**
 * Migrated Postgres schemas for the conformance suites, recycled: migrating a fresh schema costs
 * about half a second, and the suites open a few hundred storages. A schema given back is
 * emptied (every table truncated, ids restarted) and handed to the next test, which sees exactly
 * what a new database would hold; the schemas are dropped when the test file ends.
 */
import { admin, createTestSchema, type TestSchema } from '../../src/store/postgres/postgres-test-schema.js';

const idle: TestSchema[] = [];
const all: TestSchema[] = [];

/** A schema with no rows; `migrated` says whether the storage opening it will find the tables there. */
export async function takeSchema(prefix: string): Promise<TestSchema> {
  const recycled = idle.pop();
  if (recycled) return recycled;
  const schema = await createTestSchema(prefix);
  all.push(schema);
  return schema;
}

/** Empties `schema` (its tables stay, migrated) and keeps it for the next test. */
export async function giveBack(schema: TestSchema): Promise<void> {
  const { rows } = await admin(
    `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = $1 AND tablename NOT LIKE 'kysely_migration%'`,
    [schema.name],
  );
  if (rows.length > 0) await admin(`TRUNCATE ${rows.map((row) => `${schema.name}.${row.name}`).join(', ')} RESTART IDENTITY`);
  idle.push(schema);
}

/** Drops every schema this process made (call from the test file's afterAll). */
export async function dropSchemas(): Promise<void> {
  idle.length = 0;
  await Promise.all(all.splice(0).map((schema) => schema.drop()));
}
