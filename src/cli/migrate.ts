/**
 * @module cli/migrate
 * `wabridge migrate`: brings the configured store's schema to this version and exits. A gateway
 * with `store.migrate: false` refuses a schema that is behind, so a deployment migrates once
 * (this command) before rolling its replicas, instead of each replica racing to.
 */
import { migrateStore } from '../compose/storage.js';
import { loadConfig } from '../config/load.js';

export async function migrateCommand(out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<void> {
  const config = loadConfig();
  await migrateStore(config.store);
  out(config.store.kind === 'sqlite' ? `the SQLite store ${config.store.path} is migrated` : 'the Postgres store is migrated');
}
