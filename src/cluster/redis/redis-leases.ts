/**
 * @module cluster/redis/redis-leases
 * Leases as Redis keys holding the owner's id with a TTL. Taking, extending and releasing each
 * compare the owner inside one script, so a replica whose lease ran out (a long pause) can
 * neither extend nor delete the lease another replica took meanwhile.
 */
import type { Redis } from 'ioredis';
import type { Leases } from '../leases.js';

/** KEYS[1] lease; ARGV owner, ttl ms. 1 when the caller holds the lease afterwards. */
const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if current then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** KEYS[1] lease; ARGV owner. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisLeases implements Leases {
  readonly owner: string;
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(options: { redis: Redis; owner: string; prefix: string }) {
    this.owner = options.owner;
    this.#redis = options.redis;
    this.#prefix = `${options.prefix}:lease:`;
  }

  async acquire(key: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.eval(ACQUIRE, 1, this.#prefix + key, this.owner, Math.max(1, Math.round(ttlMs)))) === 1;
  }

  async release(key: string): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.#prefix + key, this.owner);
  }

  async holder(key: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#prefix + key)) ?? undefined;
  }
}
