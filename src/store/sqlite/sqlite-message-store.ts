/**
 * @module store/sqlite/sqlite-message-store
 * The embedded message store on better-sqlite3. Statements are prepared once; every method is
 * synchronous underneath (SQLite in-process is faster than any await) and wrapped in the
 * port's promises.
 */
import type { DeliveryFailure } from '../../domain/failure.js';
import { canTransition, type MessageState } from '../../domain/status.js';
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
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';
import { writeBatcherFor, type WriteBatcher } from './write-batcher.js';
import { sqliteEffectsFor, type SqliteEffects } from './sqlite-effects.js';
import { toStoredMessage, type MessageRow } from '../message-row.js';
import { campaignOf, staleStatusEvent } from '../message-events.js';


/** A `status-target-*` row, read raw: rowid, id, account_id, msg_id, state, wamid, callbacks. */
type StatusTargetRow = [number, string, string, string, MessageState, string | null, string | null];

/** The timestamp column of each state a message can move to. */
const STATE_AT_COLUMN: Partial<Record<MessageState, string>> = {
  submitted: 'submitted_at',
  sent: 'sent_at',
  delivered: 'delivered_at',
  read: 'read_at',
  failed: 'failed_at',
};

export class SqliteMessageStore implements MessageStore {
  readonly #effects: SqliteEffects;
  readonly #insert;
  readonly #findDuplicate;
  readonly #get;
  readonly #recordSubmitted;
  readonly #advance;
  readonly #countByState;
  readonly #lifecycleById;
  readonly #lifecycleByWamid;
  readonly #transitionContext;
  readonly #acceptBatch;
  readonly #statusById;
  readonly #statusByWamid;
  /** `apply-status` per target state: [keeps the wamid, records the wamid]. */
  readonly #applyStatus = new Map<MessageState, [Statement, Statement]>();
  readonly #writes: WriteBatcher;

  constructor(db: SqliteDatabase) {
    this.#writes = writeBatcherFor(db);
    this.#effects = sqliteEffectsFor(db);
    const sql = (name: string) => db.prepare(loadSql(import.meta.url, name));
    this.#insert = sql('insert-message');
    this.#findDuplicate = sql('find-duplicate').pluck();
    this.#get = sql('get-message');
    this.#recordSubmitted = sql('record-submitted');
    this.#advance = sql('advance-state');
    this.#countByState = sql('count-by-state');
    this.#lifecycleById = sql('get-lifecycle');
    this.#lifecycleByWamid = sql('get-lifecycle-by-wamid');
    this.#transitionContext = sql('get-transition-context');
    this.#statusById = sql('status-target-by-id').raw(true);
    this.#statusByWamid = sql('status-target-by-wamid').raw(true);
    const applyStatus = loadSql(import.meta.url, 'apply-status');
    for (const [state, column] of Object.entries(STATE_AT_COLUMN) as Array<[MessageState, string]>) {
      const forState = applyStatus.replaceAll('/*STATE_AT*/', column);
      this.#applyStatus.set(state, [db.prepare(forState.replaceAll('/*SET_WAMID*/', '')), db.prepare(forState.replaceAll('/*SET_WAMID*/', 'wamid = ?,'))]);
    }
    this.#acceptBatch = db.transaction((batch: readonly Acceptance[]) => {
      const results: AcceptResult[] = [];
      const now = Date.now();
      for (const { message, effects, preflight } of batch) {
        const { changes } = this.#insert.run(
          message.id,
          message.accountId,
          message.msgId,
          message.to,
          message.wabaNumber,
          JSON.stringify(message.content),
          message.customProps ? JSON.stringify(message.customProps) : null,
          message.callbacks ? JSON.stringify(message.callbacks) : null,
          message.acceptedAt,
          message.acceptedAt,
          campaignOf(message.msgId) ?? null,
          preflight ?? null,
        );
        if (changes === 1) {
          this.#effects.apply(effects, now);
          results.push({ id: message.id, duplicate: false });
        } else {
          const existing = this.#findDuplicate.get(message.accountId, message.msgId, message.to) as string;
          results.push({ id: existing, duplicate: true });
        }
      }
      return results;
    });
  }

  async acceptMessages(batch: readonly Acceptance[]): Promise<AcceptResult[]> {
    // `immediate` takes the write lock up front, so a concurrent reader cannot force a retry.
    return this.#acceptBatch.immediate(batch);
  }

  async getMessage(id: string): Promise<StoredMessage | undefined> {
    const row = this.#get.get(id) as MessageRow | undefined;
    return row && toStoredMessage(row);
  }

  async getLifecycle(key: { id: string } | { wamid: string }): Promise<MessageLifecycle | undefined> {
    const row = ('id' in key ? this.#lifecycleById.get(key.id) : this.#lifecycleByWamid.get(key.wamid)) as
      | { id: string; accountId: string; msgId: string; wamid: string | null; state: MessageState; callbacks: string | null }
      | undefined;
    if (!row) return undefined;
    const lifecycle: MessageLifecycle = { id: row.id, accountId: row.accountId, msgId: row.msgId, state: row.state };
    if (row.wamid) lifecycle.wamid = row.wamid;
    if (row.callbacks) lifecycle.callbacks = JSON.parse(row.callbacks);
    return lifecycle;
  }

  async recordSubmitted(id: string, wamid: string, at: number, latencyMs?: number): Promise<void> {
    await this.#writes.write(() => this.#recordSubmitted.run(wamid, at, latencyMs ?? null, at, id));
  }

  async advanceState(
    id: string,
    state: MessageState,
    at: number,
    details: { failure?: DeliveryFailure; wamid?: string } = {},
    effectsOf?: StateChangeEffects,
  ): Promise<boolean> {
    const params = { id, state, at, wamid: details.wamid ?? null, failure: details.failure ? JSON.stringify(details.failure) : null };
    return this.#writes.write(() => {
      const before = effectsOf
        ? (this.#transitionContext.get(id) as { id: string; accountId: string; msgId: string; state: MessageState; callbacks: string | null } | undefined)
        : undefined;
      const moved = this.#advance.run(params).changes === 1;
      if (moved && before && effectsOf) {
        const change: StateChange = { id, accountId: before.accountId, msgId: before.msgId, previous: before.state, state, at };
        if (details.failure) change.failure = details.failure;
        if (before.callbacks) change.callbacks = JSON.parse(before.callbacks);
        this.#effects.apply(effectsOf(change));
      }
      return moved;
    });
  }

  applyStatus(target: StatusTarget, state: MessageState, at: number, failure?: DeliveryFailure, effectsOf?: StateChangeEffects): Promise<StatusOutcome> {
    const statements = this.#applyStatus.get(state);
    if (!statements) return Promise.resolve('stale');
    const failureJson = failure ? JSON.stringify(failure) : null;
    return this.#writes.write((): StatusOutcome => {
      let row: StatusTargetRow | undefined;
      if (target.id !== undefined) row = this.#statusById.get(target.id, target.accountId) as StatusTargetRow | undefined;
      row ??= this.#statusByWamid.get(target.wamid, target.accountId) as StatusTargetRow | undefined;
      if (!row) return 'unknown-message';
      const [rowid, id, accountId, msgId, previous, wamid, callbacks] = row;
      if (!canTransition(previous, state)) {
        this.#effects.event(staleStatusEvent(id, state, at, failure));
        return 'stale';
      }
      if (wamid === null) statements[1].run(state, target.wamid, failureJson, at, at, rowid);
      else statements[0].run(state, failureJson, at, at, rowid);
      if (effectsOf) {
        const change: StateChange = { id, accountId, msgId, previous, state, at };
        if (failure) change.failure = failure;
        if (callbacks) change.callbacks = JSON.parse(callbacks);
        this.#effects.apply(effectsOf(change));
      }
      return 'applied';
    });
  }

  async countByState(): Promise<StateCounts[]> {
    return this.#countByState.all() as StateCounts[];
  }
}
