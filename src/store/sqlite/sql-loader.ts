/**
 * @module store/sqlite/sql-loader
 * One SQL file per operation (the BullMQ way): each statement is readable, diffable and
 * reviewable on its own. Files are read once, at startup.
 */
import { readFileSync } from 'node:fs';

export function loadSql(baseUrl: string | URL, name: string): string {
  return readFileSync(new URL(`./sql/${name}.sql`, baseUrl), 'utf8');
}
