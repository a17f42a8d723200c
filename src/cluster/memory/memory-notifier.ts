/**
 * @module cluster/memory/memory-notifier
 * In-process notifications. Notifiers that share a `MemoryBus` behave as replicas on one Redis.
 * Delivery is asynchronous (next turn), as it is over the network, so nobody comes to rely on a
 * subscriber having run before `publish` returns.
 */
import { EventEmitter } from 'node:events';
import type { Notifier } from '../notifier.js';

export class MemoryBus extends EventEmitter {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}

export class MemoryNotifier implements Notifier {
  readonly #bus: MemoryBus;
  readonly #unsubscribers = new Set<() => Promise<void>>();

  constructor(bus: MemoryBus = new MemoryBus()) {
    this.#bus = bus;
  }

  async publish(topic: string, message: string): Promise<void> {
    setImmediate(() => this.#bus.emit(topic, message));
  }

  async subscribe(topic: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const listener = (message: string) => onMessage(message);
    this.#bus.on(topic, listener);
    const unsubscribe = async () => {
      this.#bus.off(topic, listener);
      this.#unsubscribers.delete(unsubscribe);
    };
    this.#unsubscribers.add(unsubscribe);
    return unsubscribe;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#unsubscribers].map((unsubscribe) => unsubscribe()));
  }
}
