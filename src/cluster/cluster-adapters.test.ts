/**
 * Every cluster adapter against its port's suite: in-process (embedded mode) and Redis
 * (scale-out, on the machine's real Redis, each run under its own key prefix).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { runLeasesConformance } from './leases.conformance.js';
import { MemoryLeaseTable, MemoryLeases } from './memory/memory-leases.js';
import { MemoryBus, MemoryNotifier } from './memory/memory-notifier.js';
import { runNotifierConformance } from './notifier.conformance.js';
import { RedisLeases } from './redis/redis-leases.js';
import { RedisNotifier } from './redis/redis-notifier.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const uniquePrefix = () => `wabridge-test-${randomBytes(6).toString('hex')}`;

async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
}

runLeasesConformance({
  name: 'memory',
  async create() {
    const table = new MemoryLeaseTable();
    return { replica: (owner) => new MemoryLeases({ owner, table }), close: async () => undefined };
  },
});

runLeasesConformance({
  name: 'redis',
  async create() {
    const redis = new Redis(REDIS_URL);
    const prefix = uniquePrefix();
    return {
      replica: (owner) => new RedisLeases({ redis, owner, prefix }),
      close: async () => {
        await dropPrefix(redis, prefix);
        redis.disconnect();
      },
    };
  },
});

runNotifierConformance({
  name: 'memory',
  async create() {
    const bus = new MemoryBus();
    const notifiers: MemoryNotifier[] = [];
    return {
      replica: async () => {
        const notifier = new MemoryNotifier(bus);
        notifiers.push(notifier);
        return notifier;
      },
      close: async () => void (await Promise.all(notifiers.map((notifier) => notifier.close()))),
    };
  },
});

runNotifierConformance({
  name: 'redis',
  async create() {
    const prefix = uniquePrefix();
    const connections: Redis[] = [];
    const notifiers: RedisNotifier[] = [];
    return {
      replica: async () => {
        const redis = new Redis(REDIS_URL);
        connections.push(redis);
        const notifier = new RedisNotifier({ redis, prefix });
        notifiers.push(notifier);
        return notifier;
      },
      close: async () => {
        await Promise.all(notifiers.map((notifier) => notifier.close()));
        for (const redis of connections) redis.disconnect();
      },
    };
  },
});
