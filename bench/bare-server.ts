/**
 * The ceiling the gateway is compared against: the least a Node HTTP server can do for one
 * CleverTap messaging request — read the body, parse it, answer success. Anything the gateway
 * does on top (validation, storage, dispatch) shows up as the gap between the two.
 *
 * Usage: node --import tsx bench/bare-server.ts <port>
 * Prints `listening <port>` on stdout once it accepts connections.
 */
import { createServer } from 'node:http';

/** Node's default (511) overflows when 1,500 connections arrive at once; dropped SYNs come back
 * after 1 s and pollute the tail (see shared/design/performance.md). */
const LISTEN_BACKLOG = 4096;
const SUCCESS_BODY = '{"status":"success"}';

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end('{"status":"fail","error":"invalid JSON"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(SUCCESS_BODY);
  });
});

// Same idle keep-alive as Fastify's default, so neither target closes connections the other keeps.
server.keepAliveTimeout = 72_000;

server.listen({ port, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () => {
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`listening ${boundPort}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => process.exit(0));
}
