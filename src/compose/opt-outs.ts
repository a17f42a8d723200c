/**
 * @module compose/opt-outs
 * Who opted out, held in memory for the send path (pipeline/opt-outs.ts). With several
 * replicas, a STOP received by one reaches the others as a signal within moments; a periodic
 * re-read of the store catches any signal lost to a reconnect.
 */
import type { Logger } from 'pino';
import { OptOutRegistry } from '../pipeline/opt-outs.js';
import type { OptOutStore } from '../store/opt-out-store.js';
import type { Cluster } from './cluster.js';
import type { Service } from './lifecycle.js';

/** How often a replica re-reads every opt-out from the store. */
export const OPT_OUT_RELOAD_MS = 60_000;

export interface OptOuts extends Service {
  registry: OptOutRegistry;
  /** Committed here: tell the other replicas. */
  changed(accountId: string, recipient: string, optedOut: boolean): void;
  /** Another replica committed one. */
  applySignal(accountId: string, recipient: string, optedOut: boolean): void;
}

export async function createOptOuts(store: OptOutStore, cluster: Cluster, logger: Logger): Promise<OptOuts> {
  const registry = new OptOutRegistry();
  registry.load(await store.all());
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    timer = setTimeout(() => {
      store
        .all()
        .then((entries) => registry.reset(entries))
        .catch((error: unknown) => logger.warn({ err: error }, 'could not re-read opt-outs; keeping those in memory'))
        .finally(reload);
    }, OPT_OUT_RELOAD_MS);
    timer.unref();
  };
  return {
    registry,
    changed: (accountId, recipient, optedOut) => cluster.signal({ kind: 'opt-out', accountId, recipient, optedOut }),
    applySignal: (accountId, recipient, optedOut) => (optedOut ? registry.add(accountId, recipient) : registry.remove(accountId, recipient)),
    start: () => {
      if (cluster.leases) reload();
    },
    stop: () => clearTimeout(timer),
  };
}
