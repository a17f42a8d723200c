/**
 * @module test/error-mapping-doc
 * `docs/error-mapping.md` must show exactly the mapping the code applies. Lives outside
 * `src/whatsapp/` because it joins the Meta table with CleverTap's, which whatsapp/ may not import.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLEVERTAP_DLR_CODES } from '../src/clevertap/dlr-codes.js';
import {
  extractGeneratedSection,
  renderErrorMappingMarkdown,
  replaceGeneratedSection,
} from '../src/whatsapp/error-mapping-doc.js';

const DOC_PATH = fileURLToPath(new URL('../docs/error-mapping.md', import.meta.url));

describe('docs/error-mapping.md', () => {
  const rendered = renderErrorMappingMarkdown(CLEVERTAP_DLR_CODES);

  it('contains exactly the rendered tables (run `npx tsx scripts/render-error-mapping.ts` to fix)', () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    expect(extractGeneratedSection(doc)).toBe(rendered);
  });

  it('renders concrete rows joining Meta codes to CleverTap codes', () => {
    const lines = rendered.split('\n');
    expect(lines).toContain('| 131047 | Re-engagement message | outside_window | 1008 | none | Free-form message more than 24 h after the user’s last message; send a template. |');
    expect(lines).toContain('| 130429 | Rate limit hit | rate_limited | 1004 | throughput | Sending number over its messages-per-second; slow that number down and retry shortly. |');
    expect(lines.some((l) => l.startsWith('| 200–299 | API Permission | invalid_credentials | 1000 | none |'))).toBe(true);
    expect(lines.some((l) => l.startsWith('| any other | — | other | 1009 | none |'))).toBe(true);
    expect(lines).toContain('| blocked_by_meta | 1010 | Message blocked by Meta |');
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
