/**
 * @module scripts/render-error-mapping
 * Rewrites the generated tables in `docs/error-mapping.md` from `whatsapp/errors.ts` and
 * `clevertap/dlr-codes.ts`. Run after changing either: `npx tsx scripts/render-error-mapping.ts`.
 * `test/error-mapping-doc.test.ts` fails until the document matches.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLEVERTAP_DLR_CODES } from '../src/clevertap/dlr-codes.js';
import { renderErrorMappingMarkdown, replaceGeneratedSection } from '../src/whatsapp/error-mapping-doc.js';

const DOC_PATH = fileURLToPath(new URL('../docs/error-mapping.md', import.meta.url));

/** Used only when the document does not exist yet; after that its prose is edited by hand. */
const INTRO = `# Error mapping

How a Meta Cloud API error becomes a failed delivery report for CleverTap. Meta's code (never the
HTTP status) picks a canonical failure reason and a retry class; the reason picks CleverTap's DLR
code (1000–1010). A message is reported \`failed\` only once its retry class gives up.

The tables below are generated from \`src/whatsapp/errors.ts\` and \`src/clevertap/dlr-codes.ts\`;
edit those and run \`npx tsx scripts/render-error-mapping.ts\`. A test fails when this file drifts.
`;

const current = existsSync(DOC_PATH) ? readFileSync(DOC_PATH, 'utf8') : INTRO;
const next = replaceGeneratedSection(current, renderErrorMappingMarkdown(CLEVERTAP_DLR_CODES));
if (next === current) {
  console.log(`${DOC_PATH} is up to date`);
} else {
  writeFileSync(DOC_PATH, next);
  console.log(`rewrote ${DOC_PATH}`);
}
