/**
 * A load balancer for multi-replica tests: spreads requests round-robin over the replicas and
 * skips one that refuses the connection (killed), as a real balancer's health checks would.
 * Meta's webhooks reach the cluster through it, so a replica dying does not strand them.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request } from 'undici';

export interface Balancer {
  url: string;
  close(): Promise<void>;
}

export async function startBalancer(backends: readonly string[]): Promise<Balancer> {
  let next = 0;
  const server: Server = createServer(async (incoming, outgoing) => {
    const body = await readBody(incoming);
    for (let tried = 0; tried < backends.length; tried++) {
      const backend = backends[next++ % backends.length]!;
      try {
        const answer = await request(backend + incoming.url, {
          method: incoming.method as 'POST',
          headers: Object.fromEntries(Object.entries(incoming.headers).filter(([name]) => name !== 'host' && name !== 'connection')) as Record<string, string>,
          ...(body.length > 0 ? { body } : {}),
        });
        const text = await answer.body.arrayBuffer();
        outgoing.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/json') }).end(Buffer.from(text));
        return;
      } catch {
        // Connection refused or reset: that replica is down; try the next one.
      }
    }
    outgoing.writeHead(502).end('{"message":"no replica answered"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}
