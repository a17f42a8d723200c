/**
 * @module queue/bullmq/partitions
 * The port reserves per partition, and BullMQ (OSS) fetches "the next job of a queue" with no
 * group argument, so every (queue, partition) is a BullMQ queue of its own. Partitions are
 * unbounded (callback URLs chosen by callers), so the BullMQ queue is named by a hash of the
 * partition key, and a Redis hash (`<prefix>:partitions`, BullMQ name → [queue, partitionKey])
 * remembers which exist, so `counts()` and the dead-letter operations can enumerate them.
 */
import { createHash } from 'node:crypto';

export interface PartitionName {
  queue: string;
  partitionKey: string;
}

/** The BullMQ queue name of a partition: `<queue>.<22 base64url chars of SHA-256(partitionKey)>`. */
export function bullQueueName(queue: string, partitionKey: string): string {
  // BullMQ builds keys as <prefix>:<name>:<type>; a colon in the name would make them ambiguous.
  if (queue.includes(':') || queue.includes('/')) throw new Error(`queue name ${JSON.stringify(queue)} may not contain ':' or '/'`);
  return `${queue}.${createHash('sha256').update(partitionKey).digest('base64url').slice(0, 22)}`;
}

/** The registry of partitions, a Redis hash under the queue's prefix. */
export function registryKey(prefix: string): string {
  return `${prefix}:partitions`;
}

export function encodePartition(name: PartitionName): string {
  return JSON.stringify([name.queue, name.partitionKey]);
}

export function decodePartition(value: string): PartitionName {
  const [queue, partitionKey] = JSON.parse(value) as [string, string];
  return { queue, partitionKey };
}
