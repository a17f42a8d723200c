/**
 * @module cluster/notifier
 * Best-effort messages between replicas: "new work for this partition", "this user opted out",
 * "templates of this account changed". A lost message costs latency, never correctness: whoever
 * acts on one also has a slower path to the same truth (a queue sweep, a periodic reload).
 *
 * Embedded mode delivers in-process (memory/memory-notifier.ts); scale-out uses Redis pub/sub
 * (redis/redis-notifier.ts). Both pass `notifier.conformance.ts`.
 */
export interface Notifier {
  /** Delivers `message` to every subscriber of `topic` on every replica, this one included. */
  publish(topic: string, message: string): Promise<void>;
  /** Resolves once subscribed; the returned function unsubscribes. */
  subscribe(topic: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
