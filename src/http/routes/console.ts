/**
 * @module http/routes/console
 * The operator console (console/, built into console/dist by `npm install`) served at `/`. Its
 * files hold no data, so they are served without the admin token; the console asks for the token
 * and sends it with each `/v1/admin` call.
 *
 * Only the files of the build get a route (no catch-all): a wrong path under `/v1` still gets the
 * gateway's own JSON 404. The console's client routes (`/accounts/acme`…) answer index.html so a
 * reload or a shared link works. Hashed assets are kept by browsers for a year; index.html is
 * revalidated every time, so a new build is picked up at the next load.
 *
 * Without a build (an install that skipped dev dependencies), `/` answers a page saying how to
 * build it, and the gateway runs as usual.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm install` builds the console, relative to this file. */
export const CONSOLE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../console/dist');

/**
 * The console's client routes (console/src/shell.tsx). Each answers index.html; the console then
 * shows the page.
 */
export const CONSOLE_CLIENT_ROUTES = ['/accounts', '/accounts/*', '/templates', '/templates/*', '/send-test', '/messages', '/messages/*', '/inbound', '/callbacks', '/dashboard'] as const;

export interface ConsoleRoutesOptions {
  /** The built console; default console/dist of this checkout. */
  distDir?: string;
}

const YEAR_SECONDS = 365 * 24 * 3600;

/** The console only talks to its own origin, runs no inline script and is never framed. */
const HTML_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
} as const;

export const consoleRoutes: FastifyPluginAsync<ConsoleRoutesOptions> = async (app, options) => {
  const distDir = options.distDir ?? CONSOLE_DIST;
  if (!existsSync(path.join(distDir, 'index.html'))) {
    app.get('/', async (_request, reply) => notBuilt(reply, distDir));
    for (const route of CONSOLE_CLIENT_ROUTES) app.get(route, async (_request, reply) => notBuilt(reply, distDir));
    return;
  }
  await app.register(fastifyStatic, {
    root: distDir,
    prefix: '/',
    // One route per built file, read once at start: no catch-all shadowing the API's 404s.
    wildcard: false,
    index: ['index.html'],
    cacheControl: false,
    setHeaders(reply, filePath) {
      if (filePath.includes(`${path.sep}assets${path.sep}`)) reply.header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`);
      else reply.headers(filePath.endsWith('.html') ? HTML_HEADERS : { 'cache-control': 'no-cache' });
    },
  });
  for (const route of CONSOLE_CLIENT_ROUTES) {
    app.get(route, async (_request, reply) => reply.headers(HTML_HEADERS).sendFile('index.html'));
  }
};

function notBuilt(reply: FastifyReply, distDir: string): FastifyReply {
  return reply
    .code(503)
    .headers({ ...HTML_HEADERS, 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'", 'cache-control': 'no-store' })
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>wabridge: console not built</title></head>` +
        `<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">` +
        `<h1>The web console has not been built</h1>` +
        `<p>The gateway is running; only its console is missing from <code>${escapeHtml(distDir)}</code>.</p>` +
        `<p>Build it from the wabridge folder with <code>npm install</code> (which runs the build), or <code>npm run console:build</code>, then reload this page. ` +
        `An install without dev dependencies (<code>npm ci --omit=dev</code>) skips the build.</p>` +
        `<p>The admin API works without it: <code>/v1/admin/stats</code>.</p></body></html>`,
    );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
