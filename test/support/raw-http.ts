/**
 * Raw-socket HTTP clients for edge tests: what curl and most HTTP libraries do that undici does
 * not, such as writing a whole request body before reading any of the answer.
 */
import { connect } from 'node:net';

/**
 * Writes `head`, then `bodyBytes` in 64 KB chunks, and reads nothing until the last byte is
 * written; resolves with what was answered and how writing ended. With `stallAfter`, stops
 * writing after that many bytes and keeps its side of the connection open.
 */
export function writeAllThenRead(port: number, head: string, bodyBytes: number, options: { stallAfter?: number } = {}) {
  return new Promise<{ answer: string; error: string | undefined; written: number }>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: options.stallAfter !== undefined });
    socket.pause();
    let answer = '';
    let error: string | undefined;
    let written = 0;
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', (failure: NodeJS.ErrnoException) => (error ??= failure.code ?? failure.message));
    socket.on('close', () => resolve({ answer, error, written }));
    socket.write(head);
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    const next = () => {
      if (socket.destroyed) return;
      if ((options.stallAfter !== undefined && written >= options.stallAfter) || written >= bodyBytes) {
        socket.resume();
        return;
      }
      const piece = chunk.subarray(0, Math.min(chunk.length, bodyBytes - written));
      written += piece.length;
      socket.write(piece, (failure) => {
        if (!failure) setImmediate(next);
      });
    };
    next();
  });
}
