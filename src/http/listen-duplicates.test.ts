import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway } from '../../test/support/gateway.js';
import { addListenDuplicates } from './listen-duplicates.js';

const log = pino({ level: 'silent' });

/** One GET over its own connection; resolves with the status line's code. */
function getOnNewConnection(port: number, path = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (text += chunk));
    socket.on('end', () => resolve(Number(text.split(' ')[1])));
    socket.on('error', reject);
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('addListenDuplicates', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  async function listening(): Promise<{ server: Server; port: number }> {
    const server = createServer((_request, response) => response.end('ok'));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, port: (server.address() as AddressInfo).port };
  }

  it('accepts a burst through the duplicates while the event loop was busy, and every request is answered', async () => {
    const { server, port } = await listening();
    const duplicates = await addListenDuplicates(server, 8, log);
    const answers = Array.from({ length: 200 }, () => getOnNewConnection(port));
    // The connections queue in the kernel while this turn runs; the next poll finds 9 descriptors ready.
    const until = Date.now() + 150;
    while (Date.now() < until);
    expect(await Promise.all(answers)).toEqual(Array(200).fill(200));
    expect(duplicates.accepted()).toBeGreaterThan(0);
    await duplicates.close();
  });

  it('accepts nothing once closed with the server', async () => {
    const { server, port } = await listening();
    const duplicates = await addListenDuplicates(server, 4, log);
    expect(await getOnNewConnection(port)).toBe(200);
    await duplicates.close();
    await new Promise((resolve) => server.close(resolve));
    servers.pop();
    expect(await refused(port)).toBe(true);
  });

  it('adds nothing when asked for none', async () => {
    const { server, port } = await listening();
    const duplicates = await addListenDuplicates(server, 0, log);
    expect(await getOnNewConnection(port)).toBe(200);
    expect(duplicates.accepted()).toBe(0);
  });
});

describe('the gateway with duplicate listeners', () => {
  it('answers over them and stops accepting on all of them when it stops', async () => {
    const gateway = await startTestGateway({ server: { host: '127.0.0.1', port: 0, listenDuplicates: 16 } });
    const port = Number(new URL(gateway.url).port);
    const statuses = await Promise.all(Array.from({ length: 50 }, () => getOnNewConnection(port, '/healthz')));
    expect(statuses).toEqual(Array(50).fill(200));
    await gateway.stop();
    expect(await refused(port)).toBe(true);
  });
});
