/**
 * @module test/admin-api-doc
 * `docs/admin-api.md` must describe exactly the admin API a gateway serves: its generated section
 * is rendered from the /openapi.json of a sandbox gateway (as scripts/render-admin-api-doc.ts does).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiReference } from '../src/http/api-reference.js';
import { ADMIN_API_DOC_COMMAND, extractGeneratedSection, renderAdminApiMarkdown, replaceGeneratedSection } from '../src/http/api-reference-markdown.js';
import type { OpenApiDocument } from '../src/http/openapi.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const DOC_PATH = fileURLToPath(new URL('../docs/admin-api.md', import.meta.url));

describe('docs/admin-api.md', () => {
  let gateway: TestGateway;
  let rendered: string;
  beforeAll(async () => {
    gateway = await startTestGateway();
    rendered = renderAdminApiMarkdown(apiReference((await gateway.app.inject({ url: '/openapi.json' })).json() as OpenApiDocument));
  });
  afterAll(async () => gateway.stop());

  it(`matches the routes the gateway serves (regenerate: ${ADMIN_API_DOC_COMMAND}, or npm run docs)`, () => {
    const section = extractGeneratedSection(readFileSync(DOC_PATH, 'utf8'));
    expect(section, `docs/admin-api.md has no generated section; run ${ADMIN_API_DOC_COMMAND}`).toBeDefined();
    if (section !== rendered) {
      const documented = new Set(section!.split('\n').filter((line) => line.startsWith('### ')));
      const served = rendered.split('\n').filter((line) => line.startsWith('### '));
      const added = served.filter((line) => !documented.has(line)).map((line) => line.slice(4));
      const removed = [...documented].filter((line) => !served.includes(line)).map((line) => line.slice(4));
      expect.fail(
        `docs/admin-api.md is out of date: run ${ADMIN_API_DOC_COMMAND} (or npm run docs) and commit it.` +
          (added.length ? ` Not documented yet: ${added.join(', ')}.` : '') +
          (removed.length ? ` Documented but no longer served: ${removed.join(', ')}.` : '') +
          (added.length || removed.length ? '' : ' (A schema, summary or answer changed.)'),
      );
    }
  });

  it('documents each admin endpoint with its auth, parameters, answers and the error shape', () => {
    expect(rendered).toContain('### `GET /v1/admin/webhook-rejects`');
    expect(rendered).toContain('| `limit` | query | integer 0…1000 | no | how many, newest first; default `50` |');
    expect(rendered).toContain('| 401 | admin.token is configured and the request does not carry it');
    expect(rendered).toContain('| `errors[].field` | string | yes |');
    expect(rendered).toContain("| POST | `/v1/clevertap/{accountId}/messages` | Send a WhatsApp message (CleverTap's messaging endpoint) | the account's CleverTap credentials (`clevertap.auth`) |");
  });

  it('replaces only the generated section', () => {
    const doc = replaceGeneratedSection('# Title\n\nprose\n', 'v1\n');
    expect(extractGeneratedSection(doc)).toBe('v1\n');
    const updated = replaceGeneratedSection(`${doc}\ntrailing prose\n`, 'v2\n');
    expect(updated.startsWith('# Title\n\nprose\n\n')).toBe(true);
    expect(updated.endsWith('\ntrailing prose\n')).toBe(true);
    expect(extractGeneratedSection(updated)).toBe('v2\n');
  });
});
