/**
 * @module http/listen-duplicates
 * More than one accept per event-loop iteration on Node 20. Its libuv (1.45+, pull request
 * #3696) accepts a single connection each time the event loop polls the listening socket. A
 * gateway busy with 1,000 connections' requests polls every 50–100 ms, so when CleverTap opens
 * its next 500 connections at once they wait seconds in the kernel's accept queue, and the first
 * request on each counts those seconds against CleverTap's 1-second timeout (docs/benchmarks.md:
 * 512 connections queued, drained at 15–20 a second).
 *
 * Every duplicate descriptor of the listening socket is polled, and accepts, on its own. A
 * short-lived helper process receives the listening handle over IPC and sends it straight back,
 * which gives this process a new descriptor for the same socket each time; each one gets a
 * net.Server whose connections are handed to the HTTP server, as if it had accepted them itself.
 * With 128 duplicates a burst of 1,500 connections was accepted within ~150 ms instead of 8 s.
 * Node ≥ 22.12 offers `reusePort` for the same effect; this project runs on Node 20.
 */
import { spawn } from 'node:child_process';
import { Server as NetServer, type Server } from 'node:net';
import type { Logger } from 'pino';

export interface ListenDuplicates {
  /** Connections accepted through the duplicates (the original listener's are not counted). */
  accepted(): number;
  /** Stops accepting on every duplicate at once (the original listener is the caller's to close). */
  close(): Promise<void>;
}

// Runs in plain node: echoes each handle it receives and closes its own copy (a copy left open
// would keep the socket listening after the gateway closed it), then leaves when told.
const ECHO = `process.on('message', (message, handle) => {
  if (message === 'dup' && handle) process.send('dup', handle, () => handle.close());
  else if (message === 'done') process.disconnect();
});`;

const HELPER_TIMEOUT_MS = 5_000;

/**
 * Adds `count` duplicate listeners to `server`, which must be listening. If the duplicates cannot
 * be made the server keeps its one listener and the reason is logged: nothing else depends on them.
 */
export async function addListenDuplicates(server: Server, count: number, log: Logger): Promise<ListenDuplicates> {
  let accepted = 0;
  const listeners: NetServer[] = [];
  const handle = (server as unknown as { _handle?: object })._handle;
  if (count > 0 && handle) {
    try {
      for (const duplicate of await duplicateHandles(handle, count)) {
        const listener = new NetServer();
        listener.on('connection', (socket) => {
          accepted++;
          server.emit('connection', socket);
        });
        listener.on('error', (error) => log.warn({ err: error }, 'a duplicate listener failed; the others keep accepting'));
        listener.listen(duplicate);
        listeners.push(listener);
      }
    } catch (error) {
      log.warn({ err: error }, 'could not duplicate the listening socket; accepting one connection per event-loop turn');
    }
  }
  return {
    accepted: () => accepted,
    // Not waiting for close's callback: a net.Server calls it once the connections it accepted
    // have ended, and those belong to the HTTP server, which ends them when it closes afterwards.
    close: async () => {
      for (const listener of listeners) listener.close();
      // Let the descriptors' close complete (libuv closes handles on the next loop turn).
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

function duplicateHandles(handle: object, count: number): Promise<object[]> {
  const helper = spawn(process.execPath, ['-e', ECHO], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  return new Promise<object[]>((resolve, reject) => {
    const received: object[] = [];
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`the helper returned ${received.length} of ${count} descriptors in ${HELPER_TIMEOUT_MS} ms`)), HELPER_TIMEOUT_MS);
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (helper.connected) helper.send('done');
      if (error) {
        helper.kill();
        for (const duplicate of received) (duplicate as { close?: () => void }).close?.();
        reject(error);
      } else resolve(received);
    };
    helper.on('error', (error) => finish(error));
    // Done when the helper has gone, so no copy of the socket outlives it there.
    helper.on('exit', (code) => {
      if (received.length < count) finish(new Error(`the helper exited (code ${code}) after returning ${received.length} of ${count} descriptors`));
      else finish();
    });
    helper.on('message', (message, duplicate) => {
      if (message !== 'dup' || !duplicate) return;
      received.push(duplicate as object);
      if (received.length === count && helper.connected) helper.send('done');
    });
    for (let index = 0; index < count; index++) helper.send('dup', handle as never);
  });
}
