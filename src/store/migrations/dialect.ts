/**
 * @module store/migrations/dialect
 * The few places where one migration must say different things to SQLite and to Postgres
 * (kysely's own advice: branch on the dialect inside the migration). What runs on SQLite is
 * exactly what ran before these helpers existed, so existing databases stay as they are.
 */
import { PostgresAdapter, type ColumnDataType, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

type ColumnBuild = (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

/** True when the migration runs on Postgres (the transaction the Migrator hands over keeps the dialect's adapter). */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * A key the database assigns in insert order, for `.addColumn('id', ...idColumn(db))`.
 * SQLite: `integer primary key autoincrement` (64-bit there). Postgres: a 64-bit identity, since
 * `integer` is 32-bit and a busy job table would run out of ids in days (and kysely's
 * `autoIncrement()` is not Postgres syntax).
 */
export function idColumn(db: Kysely<unknown>): [ColumnDataType, ColumnBuild] {
  return isPostgres(db)
    ? ['bigint', (column) => column.primaryKey().generatedByDefaultAsIdentity()]
    : ['integer', (column) => column.primaryKey().autoIncrement()];
}

/** A primary key copied from an `idColumn` (a dead letter keeps its job's id): 64-bit on both. */
export function copiedIdColumn(db: Kysely<unknown>): [ColumnDataType, ColumnBuild] {
  return [isPostgres(db) ? 'bigint' : 'integer', (column) => column.primaryKey()];
}
