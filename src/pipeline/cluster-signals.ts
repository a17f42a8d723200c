/**
 * @module pipeline/cluster-signals
 * What one replica tells the others, over the cluster's Notifier: new send work for an account,
 * new callbacks for a URL, a user who opted out or back in, an account's templates changed, the
 * stored accounts changed.
 * Each signal only saves time — the work is in the store either way, found by the receiving
 * replica's next poll, sweep or reload — so a lost message delays and never loses anything.
 *
 * Embedded mode has no other replica and builds none of this.
 */
import type { Logger } from 'pino';
import type { Notifier } from '../cluster/notifier.js';

export const SIGNAL_TOPIC = 'signals';

export type Signal =
  | { kind: 'send'; accountIds: string[] }
  | { kind: 'callbacks'; urls: string[] }
  | { kind: 'opt-out'; accountId: string; recipient: string; optedOut: boolean }
  | { kind: 'templates'; accountId: string }
  | { kind: 'accounts' };

export interface SignalHandlers {
  send(accountId: string): void;
  callbacks(url: string): void;
  optOut(accountId: string, recipient: string, optedOut: boolean): void;
  templates(accountId: string): void;
  /** Accounts were created, changed or deleted in the store: re-read them. */
  accounts?(): void;
}

export class ClusterSignals {
  readonly #notifier: Notifier;
  readonly #logger: Logger;
  /** Signals carry their sender, so a replica does not act twice on what it did itself. */
  readonly #replicaId: string;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(options: { notifier: Notifier; replicaId: string; logger: Logger }) {
    this.#notifier = options.notifier;
    this.#replicaId = options.replicaId;
    this.#logger = options.logger;
  }

  async start(handlers: SignalHandlers): Promise<void> {
    this.#unsubscribe = await this.#notifier.subscribe(SIGNAL_TOPIC, (text) => {
      let envelope: { from: string; signal: Signal };
      try {
        envelope = JSON.parse(text);
      } catch {
        return this.#logger.warn('ignored an unreadable cluster signal');
      }
      if (envelope.from === this.#replicaId) return;
      const { signal } = envelope;
      switch (signal.kind) {
        case 'send':
          return signal.accountIds.forEach((accountId) => handlers.send(accountId));
        case 'callbacks':
          return signal.urls.forEach((url) => handlers.callbacks(url));
        case 'opt-out':
          return handlers.optOut(signal.accountId, signal.recipient, signal.optedOut);
        case 'templates':
          return handlers.templates(signal.accountId);
        case 'accounts':
          return handlers.accounts?.();
      }
    });
  }

  /** Tells the other replicas; a failure is logged, never thrown (the signal only saves time). */
  publish(signal: Signal): void {
    this.#notifier.publish(SIGNAL_TOPIC, JSON.stringify({ from: this.#replicaId, signal })).catch((error: unknown) => {
      this.#logger.warn({ err: error, signal: signal.kind }, 'could not signal the other replicas; they will find the work on their next poll');
    });
  }

  async stop(): Promise<void> {
    await this.#unsubscribe?.();
  }
}
