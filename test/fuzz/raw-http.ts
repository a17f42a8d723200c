/**
 * @module test/fuzz/raw-http
 * An HTTP/1.1 exchange over a bare socket. An HTTP client library refuses to send much of what
 * the fuzzer needs (invalid request lines and methods, absolute-form targets, duplicate
 * Content-Type headers, 2,000 headers) and hides what the fuzzer checks (an answer the server
 * wrote before closing mid-upload). One connection per exchange, so a request that desyncs the
 * server's parser cannot be blamed on the next case; the client resets it when done, so a
 * million cases leave no sockets in TIME_WAIT.
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Milliseconds from connecting to a complete answer. */
  ms: number;
}

export interface RawRequest {
  port: number;
  /** Request line and headers, without the blank line. */
  head: string;
  body: Buffer;
  framing: 'length' | 'chunked' | 'none';
  chunkSize?: number;
  isHead: boolean;
  timeoutMs: number;
}

export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
}

export function exchange(request: RawRequest): Promise<RawResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ port: request.port, host: '127.0.0.1', noDelay: true });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (outcome: { response: RawResponse } | { error: Error }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!socket.destroyed) socket.resetAndDestroy();
      if ('response' in outcome) resolve(outcome.response);
      else reject(outcome.error);
    };
    const timer = setTimeout(() => finish({ error: new NoAnswerError(`no answer within ${request.timeoutMs} ms (${received.length} bytes received)`) }), request.timeoutMs);
    const tryParse = (closed: boolean) => {
      const parsed = parseResponse(received, request.isHead, closed);
      if (parsed) finish({ response: { ...parsed, ms: performance.now() - started } });
      else if (closed) finish({ error: new NoAnswerError(received.length === 0 ? 'the connection closed without an answer' : `the connection closed mid-answer: ${JSON.stringify(received.subarray(0, 200).toString('latin1'))}`) });
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    socket.on('close', () => tryParse(true));
    // A server that answers and closes mid-upload surfaces here as EPIPE or ECONNRESET; what it
    // wrote before that is still the answer, and `close` follows.
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      const { body, framing } = request;
      let head = request.head;
      if (framing === 'length') head += `\r\ncontent-length: ${body.length}`;
      if (framing === 'chunked') head += '\r\ntransfer-encoding: chunked';
      socket.write(`${head}\r\n\r\n`, 'latin1');
      if (framing === 'chunked') {
        // At most ~2,000 chunks: a 200 KB body in 1-byte chunks costs seconds of writes and proves nothing more.
        const size = Math.max(1, request.chunkSize ?? 1024, Math.ceil(body.length / 2_000));
        for (let at = 0; at < body.length; at += size) {
          const chunk = body.subarray(at, at + size);
          socket.write(`${chunk.length.toString(16)}\r\n`);
          socket.write(chunk);
          socket.write('\r\n');
        }
        socket.write('0\r\n\r\n');
      } else if (body.length > 0) {
        socket.write(body);
      }
    });
  });
}

/** A complete response at the start of `bytes`, or undefined while more is to come. */
function parseResponse(bytes: Buffer, isHead: boolean, closed: boolean): Omit<RawResponse, 'ms'> | undefined {
  let start = 0;
  for (;;) {
    const end = bytes.indexOf('\r\n\r\n', start);
    if (end === -1) return undefined;
    const lines = bytes.subarray(start, end).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!status) return closed ? { status: 0, headers: {}, body: bytes } : undefined;
    const code = Number(status[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) {
        const name = line.slice(0, colon).trim().toLowerCase();
        headers[name] = headers[name] === undefined ? line.slice(colon + 1).trim() : `${headers[name]}, ${line.slice(colon + 1).trim()}`;
      }
    }
    const bodyStart = end + 4;
    if (code >= 100 && code < 200) {
      start = bodyStart; // 100 Continue and friends: the real answer follows
      continue;
    }
    if (isHead || code === 204 || code === 304) return { status: code, headers, body: Buffer.alloc(0) };
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const body = dechunk(bytes.subarray(bodyStart));
      return body ? { status: code, headers, body } : undefined;
    }
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (bytes.length - bodyStart < length) return undefined;
      return { status: code, headers, body: bytes.subarray(bodyStart, bodyStart + length) };
    }
    return closed ? { status: code, headers, body: bytes.subarray(bodyStart) } : undefined;
  }
}

function dechunk(bytes: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return bytes.indexOf('\r\n', lineEnd + 2) === -1 ? undefined : Buffer.concat(parts);
    if (bytes.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
