/**
 * @module http/refused-body
 * Lets a client read an answer given before its body was read: a 413, or any answer from a route
 * that never reads bodies. node:http closes the connection as soon as such an answer is written,
 * while the rest of the body is still arriving; the kernel then answers that data with a reset,
 * and a client that writes its whole body before reading (curl, most HTTP libraries) gets
 * EPIPE/ECONNRESET instead of the answer. Here the rest of the body is read and thrown away, up to
 * a cap in bytes and in time; the connection is then half-closed after the answer (a FIN, which
 * the client reads as the end of the answer) and closed once the body has ended or a cap is hit.
 * The same cap holds for an unread body on a connection kept alive, which node:http would read
 * to its end however large.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface DrainLimits {
  /** Bytes of an unread body thrown away after the answer before the connection is closed. */
  maxBytes: number;
  /** How long after the answer a connection closing anyway is kept open to read them. */
  maxMs: number;
}

/** What a 1 GB body costs at most: the cap is a few times the body limit, never less than this. */
export const MIN_DRAIN_BYTES = 16 * 1024 * 1024;
export const DRAIN_MS = 5_000;

export function drainLimitsFor(bodyLimitBytes: number): DrainLimits {
  return { maxBytes: Math.max(4 * bodyLimitBytes, MIN_DRAIN_BYTES), maxMs: DRAIN_MS };
}

/**
 * A `'prefinish'` listener for every response: when the request's body has not been read to its
 * end by the time the answer is complete, reads the rest (see the module comment).
 */
export function drainOnEarlyAnswer(limits: DrainLimits): (this: ServerResponse) => void {
  return function onPrefinish(this: ServerResponse) {
    const request = this.req;
    if (request.complete || request.destroyed) return;
    drain(request, request.socket, limits);
  };
}

function drain(request: IncomingMessage, socket: Socket, { maxBytes, maxMs }: DrainLimits): void {
  let drained = 0;
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > maxBytes) socket.destroy();
  };
  // A listener keeps the body flowing (and stops node:http from dumping it uncounted).
  request.on('data', onData);
  request.resume();
  // node:http calls destroySoon() right after an answer that closes the connection; that is the
  // moment to linger instead. The instance property shadows net.Socket's own until then.
  socket.destroySoon = function lingerThenClose() {
    Reflect.deleteProperty(socket, 'destroySoon');
    if (socket.writable) socket.end();
    const timer = setTimeout(() => socket.destroy(), maxMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    const close = () => {
      clearTimeout(timer);
      if (socket.writableFinished) socket.destroy();
      else socket.once('finish', () => socket.destroy());
    };
    if (request.complete) close();
    else request.once('end', close);
  };
  request.once('end', () => {
    request.removeListener('data', onData);
    // The answer kept the connection alive: nothing to linger for.
    Reflect.deleteProperty(socket, 'destroySoon');
  });
}
