import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/gateway.js';
import { writeAllThenRead } from '../../test/support/raw-http.js';
import { drainLimitsFor, drainOnEarlyAnswer, MIN_DRAIN_BYTES } from './refused-body.js';

describe('drainLimitsFor', () => {
  it('reads at least 16 MiB, or four bodies', () => {
    expect(drainLimitsFor(256 * 1024).maxBytes).toBe(MIN_DRAIN_BYTES);
    expect(drainLimitsFor(16 * 1024 * 1024).maxBytes).toBe(64 * 1024 * 1024);
  });
});

describe('an answer given before the body was read', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    const onPrefinish = drainOnEarlyAnswer({ maxBytes: 1024 * 1024, maxMs: 500 });
    // Answers at once without reading, as a 413 by Content-Length does; ?keep keeps the connection.
    server = createServer((request, response) => {
      response.on('prefinish', onPrefinish);
      const close = !request.url?.includes('keep');
      response.writeHead(413, { 'content-type': 'text/plain', 'content-length': 9, ...(close ? { connection: 'close' } : {}) });
      response.end('too large');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const head = (path: string, length: number) => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`;

  it('is read by a client that writes its whole body first, the connection closing after the body', async () => {
    const result = await writeAllThenRead(port, head('/', 900_000), 900_000);
    expect(result.error).toBeUndefined();
    expect(result.written).toBe(900_000);
    expect(result.answer).toMatch(/^HTTP\/1\.1 413 [^]*\r\n\r\ntoo large$/);
  });

  it('is read the same for a chunked body', async () => {
    const size = 900_000;
    const chunked = `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${size.toString(16)}\r\n`;
    const result = await new Promise<{ answer: string; error: string | undefined }>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.pause();
      let answer = '';
      let error: string | undefined;
      socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
      socket.on('error', (failure: NodeJS.ErrnoException) => (error ??= failure.code));
      socket.on('close', () => resolve({ answer, error }));
      socket.write(chunked);
      socket.write(Buffer.alloc(size, 0x78));
      socket.write('\r\n0\r\n\r\n', () => socket.resume());
    });
    expect(result.error).toBeUndefined();
    expect(result.answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('keeps a kept-alive connection usable after the body is read', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString('latin1');
        if (text.split('too large').length === 3) socket.end();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
      socket.write(head('/keep', 200_000));
      socket.write(Buffer.alloc(200_000, 0x78));
      socket.write(head('/keep', 2) + 'ok');
    });
    expect(answer.match(/HTTP\/1\.1 413/g)).toHaveLength(2);
  });

  it('stops reading past the byte cap', async () => {
    const result = await writeAllThenRead(port, head('/', 64 * 1024 * 1024), 64 * 1024 * 1024);
    expect(result.written).toBeLessThan(64 * 1024 * 1024);
    expect(result.error).toBeDefined();
  });

  it('stops waiting for the rest of a body past the time cap', async () => {
    const openConnections = () => new Promise<number>((resolve) => server.getConnections((_error, count) => resolve(count)));
    await eventually(async () => (await openConnections()) === 0, 'earlier connections to close');
    // Sends part of the body and then nothing, keeping its side of the connection open.
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.write(head('/', 1_000_000));
    socket.write(Buffer.alloc(128 * 1024, 0x78));
    await eventually(() => answer.includes('too large'), 'the answer');
    const answeredAt = Date.now();
    await eventually(async () => (await openConnections()) === 0, 'the server to close the stalled connection');
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    // Closed by the time cap (500 ms here), after lingering for the rest of the body.
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(400);
  });
});
