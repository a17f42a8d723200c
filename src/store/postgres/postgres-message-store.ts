/**
 * @module store/postgres/postgres-message-store
 * The message store on Postgres. Writes go through the storage's write batcher (group commit);
 * a batch of acceptances is one write, so it commits whole or not at all. State changes read and
 * move the row in one statement that locks it (see advance-state.sql, apply-status.sql), so
 * concurrent statuses from several replicas stay monotone. Which states a message may move from
 * is asked of domain/status.ts, and passed to the SQL as a list.
 */
import type pg from 'pg';
import type { DeliveryFailure } from '../../domain/failure.js';
import { MESSAGE_STATES, canTransition, type MessageState } from '../../domain/status.js';
import type {
  Acceptance,
  AcceptResult,
  MessageLifecycle,
  MessageStore,
  StateChange,
  StateChangeEffects,
  StateCounts,
  StatusOutcome,
  StatusTarget,
  StoredMessage,
} from '../message-store.js';
import type { PgEffects } from './pg-effects.js';
import { loadPgSql, run, toNumber } from './pg-sql.js';
import type { PgWriteBatcher } from './pg-write-batcher.js';
import { toStoredMessage, type MessageRow } from '../message-row.js';
import { campaignOf, staleStatusEvent } from '../message-events.js';


interface LifecycleRow {
  id: string;
  account_id: string;
  msg_id: string;
  wamid: string | null;
  state: MessageState;
  callbacks: string | null;
  [column: string]: unknown;
}

interface ChangeRow {
  id?: string;
  account_id: string;
  msg_id: string;
  previous: MessageState;
  callbacks: string | null;
  moved?: boolean;
  [column: string]: unknown;
}

/** For each target state, the states a message may move to it from (domain/status.ts decides). */
const MOVABLE_FROM = new Map<MessageState, MessageState[]>(MESSAGE_STATES.map((to) => [to, MESSAGE_STATES.filter((from) => canTransition(from, to))]));

export class PostgresMessageStore implements MessageStore {
  readonly #pool: pg.Pool;
  readonly #writes: PgWriteBatcher;
  /** Where acceptances commit (their own lane, see create-postgres-storage.ts). */
  readonly #acceptWrites: PgWriteBatcher;
  readonly #effects: PgEffects;
  readonly #sql = {
    insert: loadPgSql('insert-messages'),
    findDuplicates: loadPgSql('find-duplicates'),
    get: loadPgSql('get-message'),
    lifecycleById: loadPgSql('get-lifecycle'),
    lifecycleByWamid: loadPgSql('get-lifecycle-by-wamid'),
    recordSubmitted: loadPgSql('record-submitted'),
    advance: loadPgSql('advance-state'),
    applyStatus: loadPgSql('apply-status'),
    countByState: loadPgSql('count-by-state'),
  };

  constructor(pool: pg.Pool, writes: PgWriteBatcher, effects: PgEffects, acceptWrites: PgWriteBatcher = writes) {
    this.#pool = pool;
    this.#writes = writes;
    this.#acceptWrites = acceptWrites;
    this.#effects = effects;
  }

  acceptMessages(batch: readonly Acceptance[]): Promise<AcceptResult[]> {
    if (batch.length === 0) return Promise.resolve([]);
    // Serialised before queueing, so a caller changing its objects afterwards changes nothing.
    const messages = batch.map(({ message }) => message);
    const columns = [
      messages.map((message) => message.id),
      messages.map((message) => message.accountId),
      messages.map((message) => message.msgId),
      messages.map((message) => message.to),
      messages.map((message) => message.wabaNumber),
      messages.map((message) => JSON.stringify(message.content)),
      messages.map((message) => (message.customProps ? JSON.stringify(message.customProps) : null)),
      messages.map((message) => (message.callbacks ? JSON.stringify(message.callbacks) : null)),
      messages.map((message) => message.acceptedAt),
      messages.map((message) => campaignOf(message.msgId) ?? null),
      batch.map((acceptance) => acceptance.preflight ?? null),
    ];
    return this.#acceptWrites.write(async (client) => {
      const { rows } = await run<{ id: string }>(client, this.#sql.insert, columns);
      const stored = new Set(rows.map((row) => row.id));
      const results: AcceptResult[] = new Array(batch.length);
      const duplicates: number[] = [];
      for (let index = 0; index < batch.length; index++) {
        if (stored.has(messages[index]!.id)) results[index] = { id: messages[index]!.id, duplicate: false };
        else duplicates.push(index);
      }
      if (duplicates.length > 0) {
        // A duplicate points at the stored message with its key: an earlier one, or one earlier in this batch.
        const keys = duplicates.map((index) => messages[index]!);
        const found = await run<{ id: string; account_id: string; msg_id: string; recipient: string }>(client, this.#sql.findDuplicates, [
          keys.map((message) => message.accountId),
          keys.map((message) => message.msgId),
          keys.map((message) => message.to),
        ]);
        const byKey = new Map(found.rows.map((row) => [dedupeKey(row.account_id, row.msg_id, row.recipient), row.id]));
        for (const index of duplicates) {
          const message = messages[index]!;
          const id = byKey.get(dedupeKey(message.accountId, message.msgId, message.to));
          if (id === undefined) throw new Error(`message ${message.id} was neither stored nor a duplicate`);
          results[index] = { id, duplicate: true };
        }
      }
      for (let index = 0; index < batch.length; index++) if (!results[index]!.duplicate) this.#effects.add(client, batch[index]!.effects);
      return results;
    });
  }

  async getMessage(id: string): Promise<StoredMessage | undefined> {
    const { rows } = await run<MessageRow & Record<string, unknown>>(this.#pool, this.#sql.get, [id]);
    return rows[0] && toStoredMessage(rows[0]);
  }

  async getLifecycle(key: { id: string } | { wamid: string }): Promise<MessageLifecycle | undefined> {
    const { rows } = 'id' in key ? await run<LifecycleRow>(this.#pool, this.#sql.lifecycleById, [key.id]) : await run<LifecycleRow>(this.#pool, this.#sql.lifecycleByWamid, [key.wamid]);
    const row = rows[0];
    if (!row) return undefined;
    const lifecycle: MessageLifecycle = { id: row.id, accountId: row.account_id, msgId: row.msg_id, state: row.state };
    if (row.wamid) lifecycle.wamid = row.wamid;
    if (row.callbacks) lifecycle.callbacks = JSON.parse(row.callbacks);
    return lifecycle;
  }

  async recordSubmitted(id: string, wamid: string, at: number, latencyMs?: number): Promise<void> {
    await this.#writes.write((client) => run(client, this.#sql.recordSubmitted, [id, wamid, at, latencyMs ?? null]));
  }

  advanceState(
    id: string,
    state: MessageState,
    at: number,
    details: { failure?: DeliveryFailure; wamid?: string } = {},
    effectsOf?: StateChangeEffects,
  ): Promise<boolean> {
    const failureJson = details.failure ? JSON.stringify(details.failure) : null;
    const params = [id, state, at, details.wamid ?? null, failureJson, MOVABLE_FROM.get(state) ?? []];
    return this.#writes.write(async (client) => {
      const { rows } = await run<ChangeRow>(client, this.#sql.advance, params);
      const before = rows[0];
      if (!before) return false;
      if (effectsOf) this.#effects.add(client, effectsOf(toChange(id, before, state, at, details.failure)));
      return true;
    });
  }

  applyStatus(target: StatusTarget, state: MessageState, at: number, failure?: DeliveryFailure, effectsOf?: StateChangeEffects): Promise<StatusOutcome> {
    const failureJson = failure ? JSON.stringify(failure) : null;
    const params = [target.accountId, target.id ?? null, target.wamid, state, at, failureJson, MOVABLE_FROM.get(state) ?? []];
    return this.#writes.write(async (client): Promise<StatusOutcome> => {
      const { rows } = await run<ChangeRow>(client, this.#sql.applyStatus, params);
      const found = rows[0];
      if (!found) return 'unknown-message';
      if (!found.moved) {
        // Written with the batch's effects, in the same commit: no round trip of its own.
        this.#effects.add(client, { events: [staleStatusEvent(found.id!, state, at, failure)] });
        return 'stale';
      }
      if (effectsOf) this.#effects.add(client, effectsOf(toChange(found.id!, found, state, at, failure)));
      return 'applied';
    });
  }

  async countByState(): Promise<StateCounts[]> {
    const { rows } = await run<{ accountId: string; state: MessageState; count: number }>(this.#pool, this.#sql.countByState, []);
    return rows.map((row) => ({ accountId: row.accountId, state: row.state, count: toNumber(row.count) }));
  }
}

/**
 * The key as Postgres stores it: text goes over the wire as UTF-8, where a lone surrogate becomes
 * U+FFFD, so a request's msgId is compared in that form with the stored one.
 */
function dedupeKey(accountId: string, msgId: string, recipient: string): string {
  return Buffer.from(`${accountId}\u0000${msgId}\u0000${recipient}`, 'utf8').toString('utf8');
}

function toChange(id: string, row: ChangeRow, state: MessageState, at: number, failure: DeliveryFailure | undefined): StateChange {
  const change: StateChange = { id, accountId: row.account_id, msgId: row.msg_id, previous: row.previous, state, at };
  if (failure) change.failure = failure;
  if (row.callbacks) change.callbacks = JSON.parse(row.callbacks);
  return change;
}
