/**
 * @module http/client-errors
 * Answers for requests node:http refuses before any route sees them: a request not received in
 * time (408), headers over the size limit (431), and anything that is not HTTP/1.1 (400), in the
 * gateway's one problem shape (http/problem.ts) instead of fastify's. The connection is closed
 * after the answer, as node:http and fastify do: its parser cannot go on.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { problemBody } from './problem.js';

export function clientErrorAnswer(error: { code?: string }, requestTimeoutMs: number): { status: number; reason: string } {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: `the request was not received completely within ${requestTimeoutMs} ms` };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'the request line and headers are larger than 16 KB' };
    default:
      return { status: 400, reason: `the request is not valid HTTP/1.1${error.code ? ` (${error.code})` : ''}` };
  }
}

/** A fastify `clientErrorHandler`. */
export function answerClientError(requestTimeoutMs: number) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    // A reset connection, or one already closed, has no one left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) {
      const { status, reason } = clientErrorAnswer(error, requestTimeoutMs);
      socket.write(rawProblem(status, reason));
    }
    socket.destroy();
  };
}

/** A whole HTTP/1.1 problem answer that closes the connection, for sockets no response object serves. */
export function rawProblem(status: number, reason: string): string {
  const text = STATUS_CODES[status] ?? 'Error';
  const body = problemBody(reason);
  return `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** A node:http `'connect'` listener: CONNECT asks for a proxy tunnel, which this server is not. */
export function refuseConnect(_request: unknown, socket: Duplex): void {
  socket.on('error', () => undefined);
  socket.end(rawProblem(405, 'CONNECT is not served: this is no proxy'));
  socket.once('finish', () => socket.destroy());
}
