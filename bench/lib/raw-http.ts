/**
 * A minimal HTTP/1.1 client over raw sockets, for the overload bench's load child.
 *
 * The overload bench needs to open 1,500 sockets in the same instant and, later, to offer two to
 * three times what the gateway can carry from one core shared with the Meta simulator. A general
 * client's per-request machinery (undici's queues, autocannon's bookkeeping) costs more CPU than
 * the gateway's 429 does, so the generator would saturate first and the overload would never reach
 * the server. This writes one prebuilt request and parses only what it needs of the answer: the
 * status, the Content-Length (or a chunked body's end) and `Connection: close`.
 */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  /** The server asked to close, or closed, after this answer: the connection cannot be reused. */
  closing: boolean;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n');

export function requestBytes(method: string, path: string, port: number, headers: Record<string, string>, body: string | Buffer): Buffer {
  const bodyBuffer = typeof body === 'string' ? Buffer.from(body) : body;
  let head = `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  head += `content-length: ${bodyBuffer.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bodyBuffer]);
}

/**
 * One keep-alive connection carrying one request at a time. `send` resolves with the answer or
 * rejects with an error whose `code` says why (ECONNRESET, ECONNREFUSED, CLOSED, TIMEOUT).
 */
export class RawConnection {
  readonly socket: Socket;
  connected = false;
  closed = false;
  #connectedPromise: Promise<void>;
  #pending: { resolve: (answer: RawAnswer) => void; reject: (error: Error) => void } | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  #headerLength = -1;
  #status = 0;
  #contentLength = -1;
  #chunked = false;
  #closeAfter = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(port: number, private readonly timeoutMs: number) {
    this.socket = connect({ port, host: '127.0.0.1', noDelay: true });
    this.#connectedPromise = new Promise((resolve, reject) => {
      this.socket.once('connect', () => {
        this.connected = true;
        resolve();
      });
      this.socket.once('error', reject);
    });
    // A rejection nobody awaits (a connection that failed before its first send) is not a crash.
    this.#connectedPromise.catch(() => undefined);
    this.socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.#fail(error.code ?? 'SOCKET_ERROR'));
    this.socket.on('close', () => {
      this.closed = true;
      // A server may answer without Content-Length and close: the close ends that body.
      if (this.#pending && this.#headerLength >= 0 && this.#contentLength < 0 && !this.#chunked) this.#complete(true);
      else this.#fail('CLOSED');
    });
  }

  get busy(): boolean {
    return this.#pending !== undefined;
  }

  ready(): Promise<void> {
    return this.#connectedPromise;
  }

  send(request: Buffer): Promise<RawAnswer> {
    if (this.#pending) throw new Error('one request at a time');
    if (this.closed) return Promise.reject(Object.assign(new Error('closed'), { code: 'CLOSED' }));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#timer = setTimeout(() => this.#fail('TIMEOUT'), this.timeoutMs);
      this.socket.write(request);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    if (!this.#pending) return;
    if (this.#headerLength < 0) {
      const end = this.#buffer.indexOf(HEADER_END);
      if (end < 0) return;
      this.#headerLength = end + 4;
      const head = this.#buffer.subarray(0, end).toString('latin1');
      this.#status = Number(head.slice(9, 12));
      const lower = head.toLowerCase();
      const length = /\r\ncontent-length:\s*(\d+)/.exec(lower);
      this.#contentLength = length ? Number(length[1]) : -1;
      this.#chunked = /\r\ntransfer-encoding:[^\r]*chunked/.test(lower);
      this.#closeAfter = /\r\nconnection:\s*close/.test(lower);
    }
    if (this.#contentLength >= 0) {
      if (this.#buffer.length >= this.#headerLength + this.#contentLength) this.#complete(this.#closeAfter);
    } else if (this.#chunked) {
      if (this.#buffer.lastIndexOf(CHUNKED_END) >= this.#headerLength - 2 || this.#buffer.subarray(this.#headerLength).indexOf('0\r\n\r\n') === 0) {
        this.#complete(this.#closeAfter);
      }
    }
  }

  #complete(closing: boolean): void {
    const pending = this.#pending!;
    const status = this.#status;
    this.#reset();
    if (closing) this.socket.destroy();
    pending.resolve({ status, closing: closing || this.closed });
  }

  #fail(code: string): void {
    const pending = this.#pending;
    this.#reset();
    this.socket.destroy();
    pending?.reject(Object.assign(new Error(code), { code }));
  }

  #reset(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
    this.#buffer = Buffer.alloc(0);
    this.#headerLength = -1;
    this.#contentLength = -1;
    this.#chunked = false;
    this.#closeAfter = false;
    this.#status = 0;
  }
}
