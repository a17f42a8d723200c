/**
 * @module scripts/render-admin-api-doc
 * Rewrites the generated section of `docs/admin-api.md` from the OpenAPI document a gateway
 * serves at /openapi.json: one is started here, in sandbox mode on loopback with a temporary data
 * directory, so the document lists exactly the routes the gateway registers. Run after adding or
 * changing a route or its schema: `npx tsx scripts/render-admin-api-doc.ts` (or `npm run docs`).
 * `test/admin-api-doc.test.ts` fails until the document matches.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../src/config/load.js';
import { startGateway } from '../src/gateway.js';
import { apiReference } from '../src/http/api-reference.js';
import { renderAdminApiMarkdown, replaceGeneratedSection, ADMIN_API_DOC_COMMAND } from '../src/http/api-reference-markdown.js';
import type { OpenApiDocument } from '../src/http/openapi.js';

const DOC_PATH = fileURLToPath(new URL('../docs/admin-api.md', import.meta.url));

/** Used only when the document does not exist yet; after that its prose is edited by hand. */
const INTRO = `# Admin API

The gateway's admin API, under \`/v1/admin\`. A running gateway also serves this reference at
\`/docs\` and the OpenAPI 3.1 document it is generated from at \`/openapi.json\` (both without the
token: they hold no data).

The section below is generated from the route schemas; after changing a route run
\`${ADMIN_API_DOC_COMMAND}\` (or \`npm run docs\`). A test fails when this file drifts.
`;

async function servedDocument(): Promise<OpenApiDocument> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-api-doc-'));
  try {
    const config = loadConfig({ env: {}, raw: { server: { host: '127.0.0.1', port: 0 }, store: { path: path.join(dataDir, 'wabridge.db') }, log: { level: 'silent' } } });
    const gateway = await startGateway(config, { logger: pino({ level: 'silent' }) });
    try {
      return (await gateway.app.inject({ url: '/openapi.json' })).json() as OpenApiDocument;
    } finally {
      await gateway.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const current = existsSync(DOC_PATH) ? readFileSync(DOC_PATH, 'utf8') : INTRO;
const next = replaceGeneratedSection(current, renderAdminApiMarkdown(apiReference(await servedDocument())));
if (next === current) {
  console.log(`${DOC_PATH} is up to date`);
} else {
  writeFileSync(DOC_PATH, next);
  console.log(`rewrote ${DOC_PATH}`);
}
