/**
 * @module compose/cluster
 * What replicas share besides the store and the queue: leases (one sender per number, one
 * poster per callback URL, one leader for the schedules) and signals (new work, opt-outs,
 * template changes). Scale-out (`queue.kind: bullmq`) keeps them in the same Redis as the
 * queue; embedded mode is one process, so it has no leases, leads always, and signals nobody.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Leases } from '../cluster/leases.js';
import { LeaderElection } from '../cluster/leader.js';
import { ClusterSignals, type Signal, type SignalHandlers } from '../pipeline/cluster-signals.js';
import type { Service } from './lifecycle.js';

export interface Cluster extends Service {
  /** This process's id in leases and signals (host, pid and a random part). */
  readonly replicaId: string;
  /** Absent in embedded mode: this process does everything. */
  readonly leases?: Leases;
  isLeader(): boolean;
  /** Tells the other replicas (a no-op without any). */
  signal(signal: Signal): void;
  /** What to do when another replica signals; set before `start`. */
  onSignal(handlers: SignalHandlers): void;
}

export async function createCluster(config: Pick<Config, 'queue'>, options: { logger: Logger }): Promise<Cluster> {
  const replicaId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  if (config.queue.kind !== 'bullmq' || !config.queue.redisUrl) return standalone(replicaId);

  const { logger } = options;
  const [{ Redis }, { RedisLeases }, { RedisNotifier }] = await Promise.all([
    import('ioredis'),
    import('../cluster/redis/redis-leases.js'),
    import('../cluster/redis/redis-notifier.js'),
  ]);
  const prefix = `${config.queue.prefix}:cluster`;
  const redis = new Redis(config.queue.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  // ioredis reconnects by itself; without a listener each failed attempt would be an unhandled 'error' event.
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'cluster Redis connection error'));
  await redis.connect();
  const leases = new RedisLeases({ redis, owner: replicaId, prefix });
  const notifier = new RedisNotifier({ redis, prefix });
  const leader = new LeaderElection({
    leases,
    onChange: (leading) => logger.info({ replicaId }, leading ? 'this replica now runs the cluster schedules (template sync, retention)' : 'this replica no longer leads'),
  });
  const signals = new ClusterSignals({ notifier, replicaId, logger });
  let handlers: SignalHandlers | undefined;
  return {
    replicaId,
    leases,
    isLeader: () => leader.isLeader(),
    signal: (signal) => signals.publish(signal),
    onSignal: (set) => void (handlers = set),
    start: async () => {
      await leader.start();
      if (handlers) await signals.start(handlers);
    },
    stop: async () => {
      await signals.stop();
      await leader.stop();
      await notifier.close();
      redis.disconnect();
    },
  };
}

function standalone(replicaId: string): Cluster {
  return { replicaId, isLeader: () => true, signal: () => {}, onSignal: () => {}, stop: () => {} };
}
