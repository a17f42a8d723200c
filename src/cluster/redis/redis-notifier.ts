/**
 * @module cluster/redis/redis-notifier
 * Notifications over Redis pub/sub. A subscribing connection can do nothing else, so it has its
 * own; publishing uses the shared one. Messages published while a replica is reconnecting are
 * lost, which the Notifier contract allows (every subscriber has a slower path to the truth).
 */
import { Redis } from 'ioredis';
import type { Notifier } from '../notifier.js';

export class RedisNotifier implements Notifier {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #handlers = new Map<string, Set<(message: string) => void>>();

  constructor(options: { redis: Redis; prefix: string }) {
    this.#publisher = options.redis;
    this.#subscriber = options.redis.duplicate();
    // Reconnects by itself (and resubscribes); a dropped connection is not an error to end the process for.
    this.#subscriber.on('error', () => undefined);
    this.#prefix = `${options.prefix}:notify:`;
    this.#subscriber.on('message', (channel: string, message: string) => {
      for (const handler of this.#handlers.get(channel) ?? []) handler(message);
    });
  }

  async publish(topic: string, message: string): Promise<void> {
    await this.#publisher.publish(this.#prefix + topic, message);
  }

  async subscribe(topic: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const channel = this.#prefix + topic;
    let handlers = this.#handlers.get(channel);
    if (!handlers) {
      this.#handlers.set(channel, (handlers = new Set()));
      await this.#subscriber.subscribe(channel);
    }
    const handler = (message: string) => onMessage(message);
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.#handlers.get(channel) === handlers) {
        this.#handlers.delete(channel);
        await this.#subscriber.unsubscribe(channel);
      }
    };
  }

  async close(): Promise<void> {
    this.#handlers.clear();
    this.#subscriber.disconnect();
  }
}
