/**
 * @module store/postgres/postgres-inbound-log
 * The inbound log on Postgres; a first sighting and its effects share a (batched) commit. Two
 * replicas handed the same webhook both try the insert: the unique wamid lets one through, and
 * only that one writes the effects.
 */
import type pg from 'pg';
import type { Effects } from '../effects.js';
import type { InboundLog, InboundRecord } from '../inbound-log.js';
import type { PgEffects } from './pg-effects.js';
import { loadPgSql, run, toOptionalNumber } from './pg-sql.js';
import type { PgWriteBatcher } from './pg-write-batcher.js';

export class PostgresInboundLog implements InboundLog {
  readonly #pool: pg.Pool;
  readonly #writes: PgWriteBatcher;
  readonly #effects: PgEffects;
  readonly #insert = loadPgSql('insert-inbound');
  readonly #last = loadPgSql('last-inbound');

  constructor(pool: pg.Pool, writes: PgWriteBatcher, effects: PgEffects) {
    this.#pool = pool;
    this.#writes = writes;
    this.#effects = effects;
  }

  async lastInboundAt(accountId: string, sender: string): Promise<number | undefined> {
    const { rows } = await run<{ last_at: string | null }>(this.#pool, this.#last, [accountId, sender]);
    return toOptionalNumber(rows[0]?.last_at);
  }

  record(entry: InboundRecord, effects?: Effects): Promise<boolean> {
    const values = [entry.wamid, entry.accountId, entry.sender, entry.contextMsgId ?? null, entry.receivedAt, entry.kind ?? null, entry.text ?? null, entry.mediaUrl ?? null];
    return this.#writes.write(async (client) => {
      const { rowCount } = await run(client, this.#insert, values);
      if (rowCount === 1) this.#effects.add(client, effects);
      return rowCount === 1;
    });
  }
}
