import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoreConfig } from '../config/schema.js';
import { createStorage, migrateStore } from './storage.js';

const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-compose-storage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sqlite = (file: string): StoreConfig => ({ kind: 'sqlite', path: path.join(dir, file), synchronous: 'normal', migrate: true });
const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';

describe('createStorage', () => {
  it('sqlite: the gateway takes the data directory\'s lock; a tool opens the store beside it and leaves the lock alone', async () => {
    const store = sqlite('one/wabridge.db');
    const gateway = await createStorage(store);
    try {
      expect(gateway.kind).toBe('sqlite');
      expect(existsSync(path.join(dir, 'one', 'wabridge.pid'))).toBe(true);
      await gateway.queue.enqueue([{ queue: 'send', partitionKey: 'acme', ref: 'm1' }]);
      expect(await gateway.queue.reserve('send', { partitionKey: 'acme', limit: 1, leaseMs: 60_000 })).toHaveLength(1);
      const tool = await createStorage(store, { role: 'tool' });
      // The gateway's send in flight keeps its lease: a tool must not hand it out again.
      expect(await tool.queue.counts()).toMatchObject([{ queue: 'send', partitionKey: 'acme', leased: 1, ready: 0 }]);
      await tool.close();
      // The tool neither took nor removed the gateway's lock.
      expect(existsSync(path.join(dir, 'one', 'wabridge.pid'))).toBe(true);
    } finally {
      await gateway.close();
    }
    expect(existsSync(path.join(dir, 'one', 'wabridge.pid'))).toBe(false);
  });

  it('sqlite: committed jobs go where asked (the embedded queue, or the outbox for a relay)', async () => {
    const storage = await createStorage(sqlite('outbox/wabridge.db'), { jobs: 'outbox' });
    try {
      expect(storage.jobs).toBe('outbox');
    } finally {
      await storage.close();
    }
  });

  it('sqlite: migrateStore creates and migrates the file, then lets it go', async () => {
    const store = sqlite('migrated/wabridge.db');
    await migrateStore(store);
    expect(existsSync(store.path)).toBe(true);
    // Nothing holds it: a gateway can take it at once.
    const storage = await createStorage(store);
    await storage.close();
  });

  it('postgres: loads the Postgres adapter only when configured, and migrates through it', async () => {
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    const database = `wabridge_compose_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${database}`);
    const store: StoreConfig = { kind: 'postgres', path: './unused.db', synchronous: 'normal', url: `postgres://postgres@127.0.0.1:5432/${database}`, migrate: false };
    try {
      await migrateStore(store);
      const storage = await createStorage(store, { jobs: 'outbox' });
      try {
        expect(storage.kind).toBe('postgres');
        expect(storage.jobs).toBe('outbox');
        expect(await storage.jobOutbox.take(10)).toEqual([]);
      } finally {
        await storage.close();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('postgres without a URL is refused before anything is loaded', async () => {
    await expect(createStorage({ kind: 'postgres', path: './unused.db', synchronous: 'normal', migrate: true })).rejects.toThrow(/store\.url is required/);
  });
});
