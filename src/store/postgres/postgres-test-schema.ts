/**
 * @module store/postgres/postgres-test-schema
 * For tests: a fresh schema with a unique name in the test database (127.0.0.1:5432, user
 * postgres, database `test`, or WABRIDGE_TEST_POSTGRES_URL), a URL whose search_path points at
 * it, and `drop()` to remove it with everything in it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_POSTGRES_URL = process.env.WABRIDGE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  name: string;
  /** The test database, with this schema first on the search_path. */
  url: string;
  drop(): Promise<void>;
}

export async function createTestSchema(prefix = 'wabridge_test'): Promise<TestSchema> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE SCHEMA ${name}`);
  return {
    name,
    url: withSearchPath(TEST_POSTGRES_URL, name),
    drop: async () => void (await admin(`DROP SCHEMA IF EXISTS ${name} CASCADE`)),
  };
}

/** `url` with `schema` as its search_path (what an operator writes for a schema other than public). */
export function withSearchPath(url: string, schema: string, extraOptions = ''): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}${extraOptions ? ` ${extraOptions}` : ''}`);
  return parsed.toString();
}

/** Runs one statement on its own connection to the test database. */
export async function admin(statement: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(statement, values);
  } finally {
    await client.end();
  }
}
