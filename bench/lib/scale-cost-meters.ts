/**
 * What `bench:cost` reads before and after a phase: Postgres (the database's own counters, its
 * tables' rows and sizes, the statements counted in the gateway by scale-pg-counter.ts) and Redis
 * (INFO commandstats and memory, on a Redis of the bench's own, so nothing else is counted).
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type pg from 'pg';

export interface Snapshot {
  at: number;
  database: Record<'xact_commit' | 'tup_inserted' | 'tup_updated' | 'tup_deleted' | 'tup_hot_updated', number>;
  tables: Record<string, { inserted: number; updated: number; hot: number; deleted: number; bytes: number; live: number }>;
  statements: Record<string, { calls: number; ms: number }>;
  redisCommands: Record<string, number>;
  redisMemory: number;
  walBytes: number;
  /** CPU seconds so far: the gateway's processes, this database's Postgres backends (by pid), the Redis server. */
  cpu: { gateway: number; postgres: Record<number, number>; redis: number };
}

/** CPU seconds (user + system) a process has used, from /proc (0 once it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export async function snapshot(db: pg.Client, redis: Redis, countsFile: string, gatewayPids: number[] = []): Promise<Snapshot> {
  // Statistics reach the shared counters at most once a second after a transaction (PGSTAT_MIN_INTERVAL).
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  await db.query('SELECT pg_stat_clear_snapshot()');
  const d = (await db.query('SELECT xact_commit, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = current_database()')).rows[0];
  const tables = (await db.query(`SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, n_live_tup, pg_total_relation_size(relid) AS bytes FROM pg_stat_user_tables`)).rows;
  const wal = (await db.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS b`)).rows[0];
  const stats = await redis.info('commandstats');
  const memory = await redis.info('memory');
  const redisCpu = await redis.info('cpu');
  const backends = (await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows;
  const redisCommands: Record<string, number> = {};
  for (const match of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) redisCommands[match[1]!] = Number(match[2]);
  const tableMap: Snapshot['tables'] = {};
  let hot = 0;
  for (const t of tables) {
    tableMap[t.relname] = { inserted: Number(t.n_tup_ins), updated: Number(t.n_tup_upd), hot: Number(t.n_tup_hot_upd), deleted: Number(t.n_tup_del), bytes: Number(t.bytes), live: Number(t.n_live_tup) };
    hot += Number(t.n_tup_hot_upd);
  }
  return {
    at: Date.now(),
    database: { xact_commit: Number(d.xact_commit), tup_inserted: Number(d.tup_inserted), tup_updated: Number(d.tup_updated), tup_deleted: Number(d.tup_deleted), tup_hot_updated: hot },
    tables: tableMap,
    statements: JSON.parse(readFileSync(countsFile, 'utf8')) as Snapshot['statements'],
    redisCommands,
    redisMemory: Number(/^used_memory:(\d+)/m.exec(memory)![1]),
    walBytes: Number(wal.b),
    cpu: {
      gateway: gatewayPids.reduce((total, pid) => total + cpuSeconds(pid), 0),
      postgres: Object.fromEntries(backends.map(({ pid }) => [pid, cpuSeconds(pid)])),
      redis: Number(/^used_cpu_sys:([\d.]+)/m.exec(redisCpu)![1]) + Number(/^used_cpu_user:([\d.]+)/m.exec(redisCpu)![1]),
    },
  };
}

export interface Delta {
  seconds: number;
  commits: number;
  rows: { inserted: number; updated: number; hotUpdated: number; deleted: number };
  tables: Record<string, { inserted: number; updated: number; deleted: number; bytes: number }>;
  statements: Record<string, number>;
  statementTotal: number;
  redisCommands: Record<string, number>;
  redisTotal: number;
  redisMemory: number;
  walBytes: number;
  /** CPU seconds spent meanwhile (Postgres: backends alive at the end; one that exited meanwhile is missed). */
  cpu: { gateway: number; postgres: number; redis: number };
}

export function delta(a: Snapshot, b: Snapshot): Delta {
  const statements: Record<string, number> = {};
  for (const [label, value] of Object.entries(b.statements)) {
    const calls = value.calls - (a.statements[label]?.calls ?? 0);
    if (calls > 0) statements[label] = calls;
  }
  const redisCommands: Record<string, number> = {};
  for (const [name, calls] of Object.entries(b.redisCommands)) {
    const n = calls - (a.redisCommands[name] ?? 0);
    if (n > 0 && name !== 'info') redisCommands[name] = n;
  }
  const tables: Delta['tables'] = {};
  for (const [name, t] of Object.entries(b.tables)) {
    const before = a.tables[name] ?? { inserted: 0, updated: 0, deleted: 0, bytes: 0, hot: 0, live: 0 };
    tables[name] = { inserted: t.inserted - before.inserted, updated: t.updated - before.updated, deleted: t.deleted - before.deleted, bytes: t.bytes - before.bytes };
  }
  const sum = (o: Record<string, number>) => Object.values(o).reduce((x, y) => x + y, 0);
  return {
    seconds: (b.at - a.at) / 1000,
    // The bench's own statistics queries are one transaction each; close enough to nothing, not subtracted.
    commits: b.database.xact_commit - a.database.xact_commit,
    rows: {
      inserted: b.database.tup_inserted - a.database.tup_inserted,
      updated: b.database.tup_updated - a.database.tup_updated,
      hotUpdated: b.database.tup_hot_updated - a.database.tup_hot_updated,
      deleted: b.database.tup_deleted - a.database.tup_deleted,
    },
    tables,
    statements,
    statementTotal: sum(statements),
    redisCommands,
    redisTotal: sum(redisCommands),
    redisMemory: b.redisMemory - a.redisMemory,
    walBytes: b.walBytes - a.walBytes,
    cpu: {
      gateway: b.cpu.gateway - a.cpu.gateway,
      postgres: Object.entries(b.cpu.postgres).reduce((total, [pid, seconds]) => total + seconds - (a.cpu.postgres[Number(pid)] ?? 0), 0),
      redis: b.cpu.redis - a.cpu.redis,
    },
  };
}

/** `work` minus what the gateway does anyway while idle (leases, polling) over the same time. */
export function perMessage(work: number, idlePerSecond: number, seconds: number, messages: number): number {
  return Math.max(0, work - idlePerSecond * seconds) / messages;
}
