/**
 * The account registry over a real SQLite store (two registries on one store stand for two
 * replicas) and, in sandbox mode, the real Meta simulator its stored accounts are wired to.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.js';
import { storedAccountSandboxIds, type SandboxWiring } from '../config/accounts.js';
import type { AccountConfig, Config } from '../config/schema.js';
import { startMetaSimulator, type MetaSimulator } from '../sim/meta/index.js';
import type { AuditDraft } from '../store/account-store.js';
import { createSqliteStorage, type SqliteStorage } from '../store/sqlite/create-sqlite-storage.js';
import { AccountRegistry } from './account-registry.js';
import { validateAccount } from './validate-account.js';

const silent = pino({ level: 'silent' });
let storage: SqliteStorage;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeEach(async () => {
  storage = await createSqliteStorage({ path: ':memory:' });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await storage.close();
});

function document(id: string, wabaNumber: string, whatsapp: Record<string, unknown> = {}, clevertap: Record<string, unknown> = {}): AccountConfig {
  const checked = validateAccount({ id, wabaNumber, clevertap: { auth: { kind: 'bearer', token: `token-${id}-0123456789` }, ...clevertap }, whatsapp }, { mode: 'sandbox' });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.account;
}

const GRAPH = { graphBaseUrl: 'http://127.0.0.1:9/v23.0', phoneNumberId: '555000111', wabaId: '777000111', accessToken: 'graph-token', appSecret: 'app-secret-1', webhookVerifyToken: 'verify-1' };

function audit(subject: string, action = 'account.create'): AuditDraft {
  return { at: Date.now(), actor: 'test', action, subject, details: {} };
}

async function store(account: AccountConfig): Promise<void> {
  const written = await storage.accounts.create({ id: account.id, wabaNumber: account.wabaNumber, document: account as unknown as Record<string, unknown> }, audit(account.id));
  expect(written.ok).toBe(true);
}

async function open(options: { files?: AccountConfig[]; mode?: Config['mode']; sandbox?: SandboxWiring; signal?: () => void; pollIntervalMs?: number; logger?: pino.Logger } = {}) {
  const registry = await AccountRegistry.open({
    config: { mode: options.mode ?? 'production', accounts: options.files ?? [] },
    store: storage.accounts,
    logger: options.logger ?? silent,
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  cleanups.push(() => registry.stop());
  return registry;
}

describe('AccountRegistry', () => {
  it('serves the file accounts and the stored ones, and applies a change on refresh, telling the other replicas', async () => {
    let signals = 0;
    const registry = await open({ files: [document('acme', '919811111111', GRAPH)], signal: () => signals++ });
    expect(registry.directory.all.map((account) => account.id)).toEqual(['acme']);
    expect(registry.fileAccount('acme')?.wabaNumber).toBe('919811111111');

    const changes: string[] = [];
    registry.directory.onChange((change) => changes.push(`+${change.added.map((a) => a.id)} ~${change.updated.map((a) => a.id)} -${change.removed.map((a) => a.id)}`));
    await store(document('globex', '919822222222', { ...GRAPH, phoneNumberId: '555000222' }));
    await registry.refresh();
    expect(registry.directory.byId('globex')?.whatsapp.phoneNumberId).toBe('555000222');
    expect(signals).toBe(1);

    await storage.accounts.update({ id: 'globex', wabaNumber: '919822222222', document: { ...document('globex', '919822222222', { ...GRAPH, phoneNumberId: '555000222', messagesPerSecond: 5 }) } }, audit('globex', 'account.update'));
    await registry.refresh();
    expect(registry.directory.byId('globex')?.whatsapp.messagesPerSecond).toBe(5);

    await storage.accounts.markDeleted('globex', audit('globex', 'account.delete'));
    await registry.refresh();
    expect(registry.directory.byId('globex')).toBeUndefined();
    expect(registry.directory.forWork('globex')?.whatsapp.messagesPerSecond).toBe(5);
    expect(changes).toEqual(['+globex ~ -', '+ ~globex -', '+ ~ -globex']);
  });

  it('follows a change another replica made by polling the store\'s revision', async () => {
    const here = await open({ pollIntervalMs: 50 });
    here.start();
    const elsewhere = await open();
    await store(document('globex', '919822222222', GRAPH));
    // Written without refresh (a replica whose signal was lost): the poll finds it.
    await eventually(() => here.directory.byId('globex'), 'the poll to pick up the stored account');
    expect(elsewhere.directory.byId('globex')).toBeUndefined();
    await elsewhere.reload();
    expect(elsewhere.directory.byId('globex')).toBeDefined();
  });

  it('lets a file account win over a stored one with its id, warning once', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const registry = await open({ files: [document('acme', '919811111111', GRAPH)], logger });
    await store(document('acme', '919833333333', { ...GRAPH, phoneNumberId: '555000333' }));
    await registry.refresh();
    await registry.refresh();
    expect(registry.directory.byId('acme')?.wabaNumber).toBe('919811111111');
    expect(registry.directory.all).toHaveLength(1);
    expect(lines.filter((line) => line.includes('configuration file'))).toHaveLength(1);
  });

  it('keeps an account\'s previous settings when its stored document cannot be used', async () => {
    const registry = await open();
    await store(document('globex', '919822222222', GRAPH));
    await registry.refresh();
    // Written around the admin API's validation: a rate the schema refuses.
    await storage.accounts.update({ id: 'globex', wabaNumber: '919822222222', document: { ...document('globex', '919822222222', GRAPH), whatsapp: { ...GRAPH, messagesPerSecond: 0 } } }, audit('globex', 'account.update'));
    await registry.refresh();
    expect(registry.directory.byId('globex')?.whatsapp.messagesPerSecond).toBe(80);
    // One that never worked is not served at all.
    await store({ ...document('broken', '919844444444', GRAPH), whatsapp: { ...GRAPH, accessToken: undefined } } as unknown as AccountConfig);
    await registry.refresh();
    expect(registry.directory.byId('broken')).toBeUndefined();
  });

  it('wires a stored account without Graph settings to the sandbox\'s simulator, which then serves its number', async () => {
    const sim: MetaSimulator = await startMetaSimulator({ accessToken: 'sim-token', appSecret: 'sim-secret', phoneNumbers: [{ phoneNumberId: '100000000000001', displayPhoneNumber: '919888888888', wabaId: '200000000000001' }] });
    cleanups.push(() => sim.close());
    const sandbox: SandboxWiring = {
      graphBaseUrl: sim.graphBaseUrl,
      accessToken: 'sim-token',
      appSecret: 'sim-secret',
      webhookVerifyToken: 'sim-verify',
      idsFor: (index) => ({ phoneNumberId: String(100_000_000_000_001 + index), wabaId: String(200_000_000_000_001 + index) }),
      registerNumber: (number) => sim.addPhoneNumber(number),
    };
    const registry = await open({ mode: 'sandbox', sandbox });
    const stored = document('globex', '919822222222');
    expect(registry.resolve(stored)).toMatchObject({ simulated: true, whatsapp: { ...storedAccountSandboxIds('globex'), graphBaseUrl: sim.graphBaseUrl } });
    await store(stored);
    await registry.refresh();
    const { phoneNumberId } = registry.directory.byId('globex')!.whatsapp;
    expect(phoneNumberId).toBe(storedAccountSandboxIds('globex').phoneNumberId);
    // Every replica derives the same ids for the account, whatever order the store lists it in.
    expect(storedAccountSandboxIds('globex')).toEqual(storedAccountSandboxIds('globex'));
    expect(storedAccountSandboxIds('globex').phoneNumberId).not.toBe(storedAccountSandboxIds('initech').phoneNumberId);
    const answer = await fetch(`${sim.graphBaseUrl}/${phoneNumberId}?fields=display_phone_number`, { headers: { authorization: 'Bearer sim-token' } });
    expect(await answer.json()).toMatchObject({ display_phone_number: '919822222222' });
  });
});
