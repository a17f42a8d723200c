/**
 * @module sim/meta/network-faults
 * Meta out of reach, the way a gateway meets it in production: nothing listening (connection
 * refused), connections reset as they open, connections accepted and never answered, or answers
 * that come late. The chaos knobs (chaos.ts) shape what Meta says; these decide whether anything
 * is said at all, so a test can prove that sends wait through an outage and resume after it
 * without loss or duplicates.
 *
 * The faults act on TCP connections, below HTTP: a refused, reset or hung connection never
 * reaches the Graph handlers, so the simulator accepts nothing during one (a send is never half
 * done). Connections open when a fault starts are cut, as a failing load balancer would, so
 * keep-alive sockets cannot slip past it. `slow` is the exception: requests are processed on
 * arrival and only the answer waits, like a Meta that accepted the message but answers late;
 * a client that gives up first has an uncertain send, which the status webhook later proves.
 *
 * While refusing, resetting or hanging, the control API (same port) is out of reach too; set
 * `forMs` to have the fault lift itself.
 */
import type { Server, Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export const NETWORK_FAULT_MODES = ['none', 'refuse', 'reset', 'hang', 'slow'] as const;
export type NetworkFaultMode = (typeof NETWORK_FAULT_MODES)[number];

export interface NetworkFault {
  /**
   * `refuse`: the port stops listening (ECONNREFUSED). `reset`: each new connection is reset at
   * once (ECONNRESET). `hang`: connections are accepted and read, never answered; they are cut
   * when the fault ends. `slow`: Graph answers wait `latencyMs`. `none`: healthy.
   */
  mode: NetworkFaultMode;
  /** For `slow`: how long each Graph answer is held back. */
  latencyMs?: number;
  /** Lift the fault by itself after this long. */
  forMs?: number;
}

export interface NetworkFaultStatus {
  mode: NetworkFaultMode;
  latencyMs: number;
  /** When the fault lifts by itself (epoch ms), if it does. */
  until: number | null;
  /** Connections reset, hung and cut, and Graph answers delayed, since the simulator started. */
  counts: { reset: number; hung: number; cut: number; delayed: number };
}

/** @throws RangeError for a fault that makes no sense. */
export function checkNetworkFault(fault: NetworkFault): void {
  if (!NETWORK_FAULT_MODES.includes(fault.mode)) throw new RangeError(`mode must be one of ${NETWORK_FAULT_MODES.join(', ')}`);
  if (fault.latencyMs !== undefined && !(Number.isInteger(fault.latencyMs) && fault.latencyMs >= 0)) throw new RangeError('latencyMs must be a non-negative integer');
  if (fault.forMs !== undefined && !(Number.isInteger(fault.forMs) && fault.forMs > 0)) throw new RangeError('forMs must be a positive integer');
  if (fault.mode === 'slow' && !fault.latencyMs) throw new RangeError('slow needs latencyMs');
}

export class NetworkFaults {
  #mode: NetworkFaultMode = 'none';
  #latencyMs = 0;
  #until: number | null = null;
  #liftTimer: NodeJS.Timeout | undefined;
  readonly #hung = new Set<Socket>();
  readonly #open = new Set<Socket>();
  readonly #counts = { reset: 0, hung: 0, cut: 0, delayed: 0 };
  #server: Server | undefined;
  #listenAt: { host: string; port: number } | undefined;
  #change: Promise<unknown> = Promise.resolve();

  /** Delays Graph answers in `slow` mode; call before the app starts listening. */
  constructor(app: FastifyInstance) {
    app.addHook('onSend', async (request, _reply, payload) => {
      if (this.#mode !== 'slow' || this.#latencyMs <= 0 || request.url.startsWith('/_sim/')) return payload;
      this.#counts.delayed++;
      await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
      return payload;
    });
  }

  /**
   * Puts a gate in front of the HTTP server's own connection handling; call once it listens.
   * Every connection passes through it, so a fault can drop one before HTTP sees a byte.
   */
  attach(server: Server, host: string, port: number): void {
    this.#server = server;
    this.#listenAt = { host, port };
    const handlers = server.listeners('connection') as Array<(socket: Socket) => void>;
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      if (this.#mode === 'reset') {
        this.#counts.reset++;
        socket.resetAndDestroy();
        return;
      }
      if (this.#mode === 'hang') {
        this.#counts.hung++;
        this.#hung.add(socket);
        socket.once('close', () => this.#hung.delete(socket));
        socket.on('error', () => {});
        socket.resume(); // read and discard: the client sees its request go out and nothing come back
        return;
      }
      this.#open.add(socket);
      socket.once('close', () => this.#open.delete(socket));
      for (const handler of handlers) handler.call(server, socket);
    });
  }

  get status(): NetworkFaultStatus {
    return { mode: this.#mode, latencyMs: this.#latencyMs, until: this.#until, counts: { ...this.#counts } };
  }

  /** Changes the fault; resolves once it is in force (the port closed or listening again). */
  set(fault: NetworkFault): Promise<NetworkFaultStatus> {
    checkNetworkFault(fault);
    // Changes are serialised: closing and reopening the port must not interleave.
    const change = this.#change.then(() => this.#apply(fault));
    this.#change = change.catch(() => {});
    return change;
  }

  /** Lifts any fault (reopening the port) and cuts hung connections, before the server closes. */
  async close(): Promise<void> {
    await this.set({ mode: 'none' });
  }

  async #apply(fault: NetworkFault): Promise<NetworkFaultStatus> {
    const server = this.#server;
    const previous = this.#mode;
    clearTimeout(this.#liftTimer);
    this.#until = null;
    this.#mode = fault.mode;
    this.#latencyMs = fault.mode === 'slow' ? (fault.latencyMs ?? 0) : 0;

    if (previous === 'refuse' && fault.mode !== 'refuse' && server && this.#listenAt) {
      const { host, port } = this.#listenAt;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    }
    if (fault.mode === 'refuse' && previous !== 'refuse' && server) {
      // close() stops accepting at once; its callback waits for connections, which are cut below.
      server.close();
    }
    if (fault.mode === 'refuse' || fault.mode === 'reset' || fault.mode === 'hang') this.#cut(this.#open);
    if (fault.mode !== 'hang') this.#cut(this.#hung);

    if (fault.forMs !== undefined && fault.mode !== 'none') {
      this.#until = Date.now() + fault.forMs;
      this.#liftTimer = setTimeout(() => void this.set({ mode: 'none' }), fault.forMs);
      this.#liftTimer.unref();
    }
    return this.status;
  }

  #cut(sockets: Set<Socket>): void {
    for (const socket of sockets) {
      this.#counts.cut++;
      socket.destroy();
    }
    sockets.clear();
  }
}
