/**
 * @module store/postgres/pg-sql
 * One SQL file per operation (as BullMQ and the SQLite adapter do), read once at startup. Each is
 * run as a named prepared statement: a connection parses and plans it once, then only binds.
 */
import { readFileSync } from 'node:fs';

export interface PgStatement {
  /** The prepared statement's name on every connection. */
  name: string;
  text: string;
}

export function loadPgSql(name: string): PgStatement {
  return { name: `wabridge_${name}`, text: readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), 'utf8') };
}

/** What statements run on: the pool (a read, on any free connection) or one client (inside a transaction). */
export interface Queryable {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: Row[]; rowCount: number | null }>;
}

export async function run<Row extends Record<string, unknown> = Record<string, unknown>>(
  db: Queryable,
  statement: PgStatement,
  values: unknown[],
): Promise<{ rows: Row[]; rowCount: number }> {
  const result = await db.query<Row>({ name: statement.name, text: statement.text, values });
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}

/** int8 arrives as a string (it may not fit a double); times and counts do fit. */
export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function toOptionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : toNumber(value);
}

/** Only decimal ids can name a bigint row; anything else names nothing (instead of a cast error). */
export function bigintIds(ids: readonly (string | number)[]): string[] {
  return ids.map(String).filter((id) => /^\d{1,19}$/.test(id));
}
