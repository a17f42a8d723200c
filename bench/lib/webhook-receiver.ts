/**
 * CleverTap's side of the webhook bench: a healthy delivery-report endpoint that answers every
 * `POST /dlr` with 200 at once and records when each (msgId, status) first arrived (epoch ms,
 * taken when the request reached the handler). Runs as its own process on the load core.
 *
 * Usage: node --import tsx bench/lib/webhook-receiver.ts <port>
 *   GET /_stats     → {"requests","statuses","unique","duplicates","malformed"}
 *   GET /_arrivals  → text, one "msgId<TAB>status<TAB>epochMs" line per first arrival
 * Prints `listening <port>` on stdout once it accepts connections.
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const arrivals = new Map<string, number>();
let requests = 0;
let statuses = 0;
let duplicates = 0;
let malformed = 0;

const server = createServer((request, response) => {
  const arrivedAt = Date.now();
  if (request.method === 'GET' && request.url === '/_stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ requests, statuses, unique: arrivals.size, duplicates, malformed }));
    return;
  }
  if (request.method === 'GET' && request.url === '/_arrivals') {
    response.writeHead(200, { 'content-type': 'text/plain' });
    const lines: string[] = [];
    for (const [key, at] of arrivals) lines.push(`${key}\t${at}`);
    response.end(lines.join('\n'));
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    requests++;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { statuses?: Array<{ msgId?: unknown; status?: unknown }> };
      for (const item of body.statuses ?? []) {
        statuses++;
        const key = `${String(item.msgId)}\t${String(item.status)}`;
        if (arrivals.has(key)) duplicates++;
        else arrivals.set(key, arrivedAt);
      }
    } catch {
      malformed++;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"status":"success"}');
  });
});
server.keepAliveTimeout = 72_000;
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
