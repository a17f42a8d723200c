/**
 * The baseline for the webhook bench: the least any receiver of Meta's status webhooks must do —
 * read the raw body, verify `X-Hub-Signature-256` (HMAC-SHA256 over the exact bytes, constant-time
 * compare), parse the JSON, answer 200. Whatever the gateway does on top (finding the message,
 * moving it forward, committing the delivery reports it owes CleverTap before answering) shows up
 * as the gap between the two.
 *
 * Usage: node --import tsx bench/lib/webhook-bare-server.ts <port> <appSecret>
 * Prints `listening <port>` on stdout once it accepts connections.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const LISTEN_BACKLOG = 4096;
const port = Number(process.argv[2] ?? 0);
const appSecret = process.argv[3] ?? '';
if (!appSecret) throw new Error('usage: webhook-bare-server.ts <port> <appSecret>');

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const raw = Buffer.concat(chunks);
    const header = request.headers['x-hub-signature-256'];
    const given = typeof header === 'string' && header.startsWith('sha256=') ? Buffer.from(header.slice(7), 'hex') : Buffer.alloc(0);
    const expected = createHmac('sha256', appSecret).update(raw).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end('{"status":"fail","error":"bad signature"}');
      return;
    }
    try {
      JSON.parse(raw.toString('utf8'));
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end('{"status":"fail","error":"invalid JSON"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"status":"ok"}');
  });
});

// Same idle keep-alive as Fastify's default, so neither target closes connections the other keeps.
server.keepAliveTimeout = 72_000;

server.listen({ port, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
