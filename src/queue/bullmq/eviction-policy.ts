/**
 * @module queue/bullmq/eviction-policy
 * BullMQ keeps every job, lock and dead letter in Redis keys. A Redis that evicts keys under
 * memory pressure (any `maxmemory-policy` but `noeviction`) silently drops some of them, and an
 * evicted job is a lost message. So the queue refuses to start on such a Redis.
 */

/** What the check needs of a connection: `CONFIG GET`, or `INFO` where CONFIG is disabled (managed Redis). */
export interface PolicySource {
  config(subcommand: 'GET', parameter: string): Promise<unknown>;
  info(section: string): Promise<string>;
}

/** The server's `maxmemory-policy`, read with CONFIG GET, else from INFO memory. */
export async function readEvictionPolicy(redis: PolicySource): Promise<string> {
  try {
    const answer = await redis.config('GET', 'maxmemory-policy');
    if (Array.isArray(answer) && typeof answer[1] === 'string') return answer[1];
  } catch {
    // CONFIG is often renamed or disabled on managed Redis; INFO still says it.
  }
  const line = (await redis.info('memory')).split(/\r?\n/).find((candidate) => candidate.startsWith('maxmemory_policy:'));
  if (!line) throw new Error('Redis reports no maxmemory_policy in INFO memory; cannot tell whether it may evict queued jobs');
  return line.slice('maxmemory_policy:'.length).trim();
}

/** Why the queue must not start on a Redis with this policy, or undefined when it may. */
export function evictionRefusal(policy: string): string | undefined {
  if (policy === 'noeviction') return undefined;
  return (
    `Redis maxmemory-policy is "${policy}": under memory pressure Redis would delete keys, and an evicted job ` +
    `is a lost message. Set it to noeviction (redis.conf: "maxmemory-policy noeviction", or ` +
    `"CONFIG SET maxmemory-policy noeviction"; on a managed Redis, in its parameter group) and start again.`
  );
}

/** Throws when Redis may evict keys (see `evictionRefusal`). */
export async function assertNoEviction(redis: PolicySource): Promise<void> {
  const refusal = evictionRefusal(await readEvictionPolicy(redis));
  if (refusal) throw new Error(refusal);
}
