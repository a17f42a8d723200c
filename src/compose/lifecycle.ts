/**
 * @module compose/lifecycle
 * Starting and stopping the gateway's parts in an order that is written down, not implied by
 * the order they were built in. A part is a `Service`; the composition root passes one list in
 * start order and one in stop order, and `ready` is true exactly between the two.
 */

export interface Service {
  /** Begins work (timers, workers, listening). Parts that only react to calls have none. */
  start?(): unknown;
  /** Ends work and releases what the part holds; safe whether or not it was started. */
  stop(): Promise<void> | void;
}

export class Lifecycle {
  #ready = false;
  #stopping: Promise<void> | undefined;

  /** True once every service has started, until stopping begins (what `/readyz` reports). */
  get ready(): boolean {
    return this.#ready;
  }

  /** True once stopping has begun (what `/readyz` reports as draining). */
  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /** Starts each service in turn, waiting for each; a failure stops nothing (see `stopAll`). */
  async startAll(services: readonly Service[]): Promise<void> {
    for (const service of services) await service.start?.();
    this.#ready = true;
  }

  /**
   * Stops each service in turn. Every service is stopped even when an earlier one fails (the
   * first failure is thrown afterwards), so a failed stop leaks nothing behind it. A second call
   * waits for the first.
   */
  stopAll(services: readonly Service[]): Promise<void> {
    this.#ready = false;
    return (this.#stopping ??= stopInTurn(services));
  }
}

async function stopInTurn(services: readonly Service[]): Promise<void> {
  let firstFailure: { error: unknown } | undefined;
  for (const service of services) {
    try {
      await service.stop();
    } catch (error) {
      firstFailure ??= { error };
    }
  }
  if (firstFailure) throw firstFailure.error;
}
