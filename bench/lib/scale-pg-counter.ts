/**
 * Preloaded into a gateway by `bench:cost` (node --import): counts the statements the gateway
 * sends to Postgres, since pg_stat_statements needs shared_preload_libraries (a server restart) and
 * a shared server may not have it. Every `Client.query` is counted under the statement's first
 * comment line (the SQL files begin with one) or its first words, with the time it was in flight.
 * The counts are written to $WABRIDGE_PG_COUNTS every 200 ms and at exit.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const target = process.env.WABRIDGE_PG_COUNTS;
if (target) {
  // The same module instance the gateway imports (ESM imports of a CommonJS package share its cache).
  const pg = createRequire(import.meta.url)('pg') as typeof import('pg');
  const counts = new Map<string, { calls: number; ms: number }>();
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  const labelOf = (first: unknown): string => {
    const text = typeof first === 'string' ? first : typeof first === 'object' && first && 'text' in first ? String((first as { text: unknown }).text) : '?';
    const comment = /^\s*--\s*(.{1,70})/.exec(text);
    return (comment ? comment[1]! : text.trim().split(/\s+/).slice(0, 4).join(' ')).trim();
  };
  pg.Client.prototype.query = function patchedQuery(this: unknown, ...args: unknown[]) {
    const label = labelOf(args[0]);
    const entry = counts.get(label) ?? { calls: 0, ms: 0 };
    counts.set(label, entry);
    entry.calls++;
    const started = performance.now();
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => (entry.ms += performance.now() - started),
        () => (entry.ms += performance.now() - started),
      );
    }
    return result;
  } as typeof pg.Client.prototype.query;
  const dump = () => writeFileSync(target, JSON.stringify(Object.fromEntries(counts)));
  setInterval(dump, 200).unref();
  process.on('exit', dump);
}
