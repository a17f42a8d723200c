/**
 * What only the Postgres storage has to prove (the ports' behaviour is the conformance suites'
 * job): migrations are idempotent and serialised by an advisory lock, a schema behind is refused,
 * ids go past 2^31, concurrent statuses from several pools stay monotone, writes of one turn share
 * a commit while a failing one fails alone, and write faults come and go with the writes.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import type { MessageState } from '../../domain/status.js';
import { CALLBACK_QUEUE, SEND_QUEUE } from '../effects.js';
import { sampleMessage } from '../message-store.conformance.js';
import { StoreUnavailableError } from '../store-unavailable.js';
import { createPostgresStorage, migratePostgres, type PostgresStorage } from './create-postgres-storage.js';
import { MIGRATIONS } from '../migrations/index.js';
import { admin, createTestSchema, TEST_POSTGRES_URL, withSearchPath, type TestSchema } from './postgres-test-schema.js';

/** Every migration the code has, so adding one needs no edit here. */
const MIGRATION_NAMES = Object.keys(MIGRATIONS).sort();
const MIGRATION_COUNT = MIGRATION_NAMES.length;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function schema(): Promise<TestSchema> {
  const created = await createTestSchema();
  cleanups.push(() => created.drop());
  return created;
}

async function storage(url: string, options: { jobs?: 'queue' | 'outbox'; poolSize?: number } = {}): Promise<PostgresStorage> {
  const created = await createPostgresStorage({ url, ...options });
  cleanups.push(() => created.close());
  return created;
}

async function migrationNames(name: string): Promise<string[]> {
  return (await admin(`SELECT name FROM ${name}.kysely_migration ORDER BY name`)).rows.map((row) => row.name as string);
}

describe('Postgres migrations', () => {
  it('apply once, and again find nothing to do', async () => {
    const { name, url } = await schema();
    expect(await migratePostgres(url)).toHaveLength(MIGRATION_COUNT);
    expect(await migratePostgres(url)).toEqual([]);
    expect(await migrationNames(name)).toHaveLength(MIGRATION_COUNT);
  });

  it('run once when replicas start together', async () => {
    const { name, url } = await schema();
    const applied = await Promise.all([1, 2, 3, 4].map(() => migratePostgres(url)));
    expect(applied.flat().sort()).toEqual(await migrationNames(name));
    expect(applied.filter((names) => names.length > 0)).toHaveLength(1);
  });

  it('wait for the advisory lock another replica holds', async () => {
    const { name, url } = await schema();
    const holder = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query(`SELECT pg_advisory_lock(hashtextextended('wabridge.migrations:' || $1, 0))`, [name]);
    let finished = false;
    const migrating = migratePostgres(url).finally(() => (finished = true));
    await eventually(async () => {
      const waiting = await admin(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'wabridge-migrate' AND wait_event_type = 'Lock' AND query LIKE '%pg_advisory_lock%'`);
      return waiting.rows[0].n > 0;
    }, 'the migrator to wait for the lock');
    expect(finished).toBe(false);
    expect((await admin(`SELECT to_regclass($1) AS t`, [`${name}.messages`])).rows[0].t).toBeNull();
    await holder.query(`SELECT pg_advisory_unlock(hashtextextended('wabridge.migrations:' || $1, 0))`, [name]);
    expect(await migrating).toHaveLength(MIGRATION_COUNT);
  });

  it('a storage told not to migrate refuses a schema that is behind, naming what is missing', async () => {
    const { url } = await schema();
    const refused = createPostgresStorage({ url, migrate: false });
    await expect(refused).rejects.toBeInstanceOf(StoreUnavailableError);
    const missing = new RegExp(`not at the latest migration \\(missing: ${MIGRATION_NAMES.join(', ')}\\).*wabridge migrate`);
    await expect(refused).rejects.toThrow(missing);
    await migratePostgres(url);
    const started = await storage(url);
    expect(started.kind).toBe('postgres');
    await storage(url).then((second) => expect(second.writeFault()).toBeUndefined());
  });

  it('an unreachable server fails the start with its cause', async () => {
    await expect(createPostgresStorage({ url: 'postgres://postgres:secret@127.0.0.1:1/test' })).rejects.toThrow(/cannot use the Postgres store postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test: Postgres cannot be reached/);
  });
});

describe('Postgres storage', () => {
  it('keeps 64-bit ids past 2^31 as decimal strings', async () => {
    const { name, url } = await schema();
    const store = await storage(url);
    for (const table of ['jobs', 'callbacks', 'rejected_webhook_items']) await admin(`ALTER TABLE ${name}.${table} ALTER COLUMN id RESTART WITH 5000000000`);
    await store.outbox.owe([{ accountId: 'acme', kind: 'dlr', url: 'https://ct.example/dlr', msgId: 'm1', payload: '{}' }]);
    const [job] = await store.queue.reserve(CALLBACK_QUEUE, { partitionKey: 'https://ct.example/dlr', limit: 5, leaseMs: 1000 });
    expect(job).toMatchObject({ id: '5000000000', ref: '5000000000', attempts: 1 });
    expect(await store.outbox.get([job!.ref])).toMatchObject([{ id: '5000000000', msgId: 'm1' }]);
    await store.queue.deadLetter(job!, 'gave up');
    const [dead] = await store.queue.listDead(CALLBACK_QUEUE, 5);
    expect(dead!.id).toBe('5000000000');
    expect(await store.queue.revive([dead!.id, 'not-an-id'])).toBe(1);
    const [revived] = await store.queue.reserve(CALLBACK_QUEUE, { partitionKey: 'https://ct.example/dlr', limit: 5, leaseMs: 1000 });
    expect(revived!.id).toBe('5000000001');
    expect(await store.queue.ack(revived!)).toBe(true);
    await store.webhookRejects.record([{ receivedAt: 1, kind: 'status', where: 'entry[0]', reason: 'no id', item: '{}' }]);
    expect((await store.webhookRejects.list(1))[0]!.id).toBe(5_000_000_000);
    // Audit ids past 2^53 stay exact, and page back exactly.
    await admin(`ALTER TABLE ${name}.audit_log ALTER COLUMN id RESTART WITH 9007199254740993`);
    const entry = { at: 1, actor: 'cli', action: 'account.create', subject: 'acme', details: {} };
    const first = await store.audit.record(entry);
    expect(await store.accounts.create({ id: 'acme', wabaNumber: '919888888888', document: {} }, entry)).toMatchObject({ ok: true });
    expect((await store.audit.list({ limit: 5 })).map((listed) => listed.id)).toEqual(['9007199254740994', '9007199254740993']);
    expect(await store.audit.list({ limit: 5, before: '9007199254740994' })).toEqual([first]);
  });

  it('writes jobs to the job outbox when told to, in commit order', async () => {
    const { url } = await schema();
    const store = await storage(url, { jobs: 'outbox' });
    const message = sampleMessage();
    await store.messages.acceptMessages([{ message, effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: message.id }] } }]);
    await store.outbox.owe([{ accountId: 'acme', kind: 'imo', url: 'https://ct.example/imo', payload: '{}' }]);
    const waiting = await store.jobOutbox.take(10);
    expect(waiting.map((job) => [job.queue, job.ref])).toEqual([
      [SEND_QUEUE, message.id],
      [CALLBACK_QUEUE, expect.stringMatching(/^\d+$/)],
    ]);
    expect(await store.queue.counts()).toEqual([]);
    await store.jobOutbox.remove(waiting.map((job) => job.id));
    expect(await store.jobOutbox.take(10)).toEqual([]);
  });

  it('keeps statuses monotone when several replicas apply them at once', async () => {
    const { url } = await schema();
    const replicas = await Promise.all([1, 2, 3].map(() => storage(url, { poolSize: 4 })));
    const messages = Array.from({ length: 20 }, () => sampleMessage());
    await replicas[0]!.messages.acceptMessages(messages.map((message) => ({ message })));
    const states: MessageState[] = ['sent', 'delivered', 'read'];
    // Every replica gets every status of every message, each replica in its own shuffled order.
    const report = (change: { id: string; previous: MessageState; state: MessageState }) => ({
      callbacks: [{ accountId: 'acme', kind: 'dlr' as const, url: 'https://ct.example/dlr', msgId: change.id, payload: JSON.stringify([change.previous, change.state]) }],
    });
    const outcomes = await Promise.all(
      replicas.flatMap((replica) =>
        shuffle(messages.flatMap((message) => states.map((state) => [message, state] as const))).map(([message, state], index) =>
          replica.messages.applyStatus({ id: message.id, accountId: 'acme', wamid: `wamid.${message.id}` }, state, 1000 + index, undefined, report),
        ),
      ),
    );
    expect(new Set(outcomes)).toEqual(new Set(['applied', 'stale']));
    // What committed: per message, a chain of moves from accepted up to read, each from where the last left it.
    const { rows } = await replicas[0]!.pool.query<{ msg_id: string; payload: string }>('SELECT msg_id, payload FROM callbacks ORDER BY id');
    for (const message of messages) {
      const moves = rows.filter((row) => row.msg_id === message.id).map((row) => JSON.parse(row.payload) as [MessageState, MessageState]);
      expect(moves[0]![0]).toBe('accepted');
      for (let index = 1; index < moves.length; index++) expect(moves[index]![0]).toBe(moves[index - 1]![1]);
      expect(moves.at(-1)![1]).toBe('read');
      expect(await replicas[1]!.messages.getMessage(message.id)).toMatchObject({ state: 'read', wamid: `wamid.${message.id}` });
    }
    expect(outcomes.filter((outcome) => outcome === 'applied')).toHaveLength(rows.length);
  });

  it('commits the writes of one turn together', async () => {
    const { url } = await schema();
    const store = await storage(url);
    const messages = Array.from({ length: 30 }, () => sampleMessage());
    await store.messages.acceptMessages(messages.map((message) => ({ message, effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: message.id }] } })));
    const transactions = countTransactions(store);
    const [jobs] = await Promise.all([
      store.queue.reserve(SEND_QUEUE, { partitionKey: 'acme', limit: 100, leaseMs: 60_000 }),
      ...messages.map((message, index) => store.messages.recordSubmitted(message.id, `wamid.${index}`, 2000)),
      ...messages.map((message) => store.messages.applyStatus({ accountId: 'acme', wamid: 'unknown', id: message.id }, 'sent', 3000)),
    ]);
    expect(jobs).toHaveLength(30);
    const acks = await Promise.all(jobs.map((job) => store.queue.ack(job)));
    expect(acks.every(Boolean)).toBe(true);
    expect(transactions()).toBe(2);
    expect(await store.messages.getMessage(messages[7]!.id)).toMatchObject({ state: 'sent', wamid: 'wamid.7', submittedAt: 2000, sentAt: 3000 });
  });

  it('fails only the failing write of a batch', async () => {
    const { url } = await schema();
    const store = await storage(url);
    const [a, b, c] = [sampleMessage(), sampleMessage(), sampleMessage()];
    await store.messages.acceptMessages([a, b, c].map((message) => ({ message })));
    const transactions = countTransactions(store);
    const outcomes = await Promise.allSettled([
      store.messages.recordSubmitted(a.id, 'wamid.same', 1000),
      store.messages.recordSubmitted(b.id, 'wamid.same', 1000),
      store.messages.recordSubmitted(c.id, 'wamid.c', 1000),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    expect(transactions()).toBe(1 + 3); // the batch that rolled back, then each alone
    expect(await store.messages.getLifecycle({ wamid: 'wamid.c' })).toMatchObject({ id: c.id });
    expect(store.writeFault()).toBeUndefined(); // a constraint is the caller's, not the store's
  });

  it('fails only the write whose effects cannot be written, though effects are written for the whole batch at once', async () => {
    const { url } = await schema();
    const store = await storage(url);
    const link = (messageId: string) => ({ code: 'samecode01', accountId: 'acme', messageId, msgId: '1|1', url: 'https://shop.example/a', createdAt: 1 });
    const [a, b, c] = [sampleMessage(), sampleMessage(), sampleMessage()];
    const outcomes = await Promise.allSettled([
      store.messages.acceptMessages([{ message: a, effects: { clickLinks: [link(a.id)], jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: a.id }] } }]),
      store.messages.acceptMessages([{ message: b, effects: { clickLinks: [link(b.id)], jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: b.id }] } }]),
      store.messages.acceptMessages([{ message: c, effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: c.id }] } }]),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.messages.getMessage(b.id)).toBeUndefined();
    expect(await store.clickLinks.get('samecode01')).toMatchObject({ messageId: a.id });
    const jobs = await store.queue.reserve(SEND_QUEUE, { partitionKey: 'acme', limit: 10, leaseMs: 1000 });
    expect(jobs.map((job) => job.ref)).toEqual([a.id, c.id]);
  });

  it('finds the duplicate of a msgId Postgres stores in another form (a lone surrogate becomes U+FFFD)', async () => {
    const { url } = await schema();
    const store = await storage(url);
    const first = sampleMessage({ msgId: 'a\ud800b' });
    const again = { ...first, id: 'm-again' };
    expect(await store.messages.acceptMessages([{ message: first }, { message: again }])).toEqual([
      { id: first.id, duplicate: false },
      { id: first.id, duplicate: true },
    ]);
    expect(await store.messages.getMessage(first.id)).toMatchObject({ msgId: 'a\ufffdb' });
  });

  it('commits a batch of acceptances whole or not at all', async () => {
    const { url } = await schema();
    const store = await storage(url);
    const first = sampleMessage();
    const clash = sampleMessage({ id: first.id, msgId: 'another' }); // same id, another request: the key clashes
    await expect(store.messages.acceptMessages([{ message: first, effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: first.id }] } }, { message: clash }])).rejects.toMatchObject({ code: '23505' });
    expect(await store.messages.getMessage(first.id)).toBeUndefined();
    expect(await store.queue.counts()).toEqual([]);
  });

  it('reports a write fault and clears it with the next write that commits', async () => {
    const { name, url } = await schema();
    await migratePostgres(url);
    const role = `${name}_writer`;
    await admin(`CREATE ROLE ${role} LOGIN`);
    cleanups.push(() => admin(`DROP OWNED BY ${role}`).then(() => admin(`DROP ROLE ${role}`)));
    await admin(`GRANT USAGE ON SCHEMA ${name} TO ${role}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${name} TO ${role}`);
    const asRole = new URL(url);
    asRole.username = role;
    const store = await storage(asRole.toString());
    const message = sampleMessage();
    await store.messages.acceptMessages([{ message }]);
    await admin(`REVOKE UPDATE ON ${name}.messages FROM ${role}`);
    await expect(store.messages.recordSubmitted(message.id, 'wamid.1', 1000)).rejects.toMatchObject({ code: '42501' });
    expect(store.writeFault()).toMatch(/^Postgres refuses this user \(42501: permission denied for table messages\)/);
    await admin(`GRANT UPDATE ON ${name}.messages TO ${role}`);
    await store.messages.recordSubmitted(message.id, 'wamid.1', 1000);
    expect(store.writeFault()).toBeUndefined();
  });

  it('survives a connection killed mid-transaction: that write fails as a fault, the next one reconnects and clears it', async () => {
    const { url } = await schema();
    const application = `wabridge_kill_${process.pid}_${Date.now()}`;
    const named = new URL(url);
    named.searchParams.set('application_name', application);
    const store = await storage(named.toString());
    const message = sampleMessage();
    await store.messages.acceptMessages([{ message }]);
    // Hold the message's row, so the status waits on it inside the batch's transaction.
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    cleanups.push(() => blocker.end());
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM messages WHERE id = $1 FOR UPDATE', [message.id]);
    const waiting = store.messages.applyStatus({ id: message.id, accountId: 'acme', wamid: 'wamid.K' }, 'sent', 1000);
    const rejected = expect(waiting).rejects.toMatchObject({ code: '57P01' });
    await eventually(async () => {
      const { rows } = await admin(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [application]);
      return rows.length === 1 && (await admin('SELECT pg_terminate_backend($1)', [rows[0].pid])).rows[0].pg_terminate_backend;
    }, 'the status to wait for the row, and its connection to be killed');
    await rejected;
    expect(store.writeFault()).toMatch(/^Postgres cannot be reached \(57P01: terminating connection due to administrator command\)/);
    await blocker.query('ROLLBACK');
    expect(await store.messages.applyStatus({ id: message.id, accountId: 'acme', wamid: 'wamid.K' }, 'sent', 1000)).toBe('applied');
    expect(store.writeFault()).toBeUndefined();
  });

  it('runs a batch again on a fresh connection when its connection is killed before COMMIT', async () => {
    const { url } = await schema();
    const application = `wabridge_kill_${process.pid}_${Date.now()}`;
    const named = new URL(url);
    named.searchParams.set('application_name', application);
    const store = await storage(named.toString());
    const [held, other] = [sampleMessage(), sampleMessage()];
    await store.messages.acceptMessages([{ message: held }, { message: other }]);
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    cleanups.push(() => blocker.end());
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM messages WHERE id = $1 FOR UPDATE', [held.id]);
    const batch = Promise.all([
      store.messages.recordSubmitted(other.id, 'wamid.O', 1000),
      store.messages.applyStatus({ id: held.id, accountId: 'acme', wamid: 'wamid.H' }, 'sent', 1000),
    ]);
    await eventually(async () => {
      const { rows } = await admin(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [application]);
      return rows.length === 1 && (await admin('SELECT pg_terminate_backend($1)', [rows[0].pid])).rows[0].pg_terminate_backend;
    }, 'the batch to wait for the row, and its connection to be killed');
    await blocker.query('ROLLBACK');
    expect(await batch).toEqual([undefined, 'applied']);
    expect(await store.messages.getMessage(other.id)).toMatchObject({ wamid: 'wamid.O', state: 'submitted' });
    expect(store.writeFault()).toBeUndefined();
  });

  it('lets replicas reserve one partition at once without taking the same job', async () => {
    const { url } = await schema();
    const replicas = await Promise.all([1, 2, 3].map(() => storage(url, { poolSize: 2 })));
    await replicas[0]!.queue.enqueue(Array.from({ length: 60 }, (_, index) => ({ queue: SEND_QUEUE, partitionKey: 'acme', ref: `m${index}`, runAt: 1 })));
    const taken = await Promise.all(replicas.flatMap((replica) => [1, 2, 3, 4].map(() => replica.queue.reserve(SEND_QUEUE, { partitionKey: 'acme', limit: 5, leaseMs: 60_000 }))));
    const refs = taken.flat().map((job) => job.ref);
    expect(new Set(refs).size).toBe(refs.length);
    expect(refs.length).toBe(60);
  });
});

describe('Postgres search_path', () => {
  it('keeps two schemas of one database apart', async () => {
    const [one, two] = await Promise.all([schema(), schema()]);
    const [a, b] = await Promise.all([storage(one.url), storage(withSearchPath(TEST_POSTGRES_URL, two.name))]);
    const message = sampleMessage();
    await a.messages.acceptMessages([{ message }]);
    expect(await a.messages.getMessage(message.id)).toBeDefined();
    expect(await b.messages.getMessage(message.id)).toBeUndefined();
  });
});

/** Counts the transactions the store's writes open from now on (each takes a client from the pool). */
function countTransactions(store: PostgresStorage): () => number {
  let count = 0;
  const connect = store.pool.connect.bind(store.pool) as (...args: unknown[]) => unknown;
  (store.pool as { connect: unknown }).connect = (...args: unknown[]) => {
    count++;
    return connect(...args);
  };
  return () => count;
}

function shuffle<T>(items: T[]): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
  return items;
}
