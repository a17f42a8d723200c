/**
 * @module http/api-reference-markdown
 * docs/admin-api.md's generated section, from the API reference (http/api-reference.ts): the
 * admin API in full (auth, errors, every endpoint's parameters, body and answers), the other
 * endpoints as a table. `scripts/render-admin-api-doc.ts` writes it; `test/admin-api-doc.test.ts`
 * fails when the file is behind the routes.
 */
import type { ApiReference, BodyView, FieldRow, OperationView } from './api-reference.js';

export const ADMIN_API_DOC_COMMAND = 'npx tsx scripts/render-admin-api-doc.ts';
export const GENERATED_BEGIN = `<!-- BEGIN GENERATED: ${ADMIN_API_DOC_COMMAND} (or npm run docs) -->`;
export const GENERATED_END = '<!-- END GENERATED -->';

export function renderAdminApiMarkdown(reference: ApiReference): string {
  const admin = reference.tags.find((tag) => tag.name === 'admin');
  const others = reference.tags.filter((tag) => tag.name !== 'admin');
  const out: string[] = [];
  out.push('## Authentication', '', reference.auth, '');
  out.push(
    '## Errors',
    '',
    'Every error answer of the admin API (and of every endpoint outside the CleverTap contract) has this shape:',
    '',
    '```json',
    '{"message": "919888888888 is already served by account acme", "errors": [{"field": "wabaNumber", "message": "919888888888 is already served by account acme"}]}',
    '```',
    '',
    fieldTable(reference.problem),
    '',
    'A body that does not match its schema is answered 422, a query or path parameter that does not 400; `errors[].field` names each field at fault by its dotted path (`whatsapp.accessToken`, `clevertap.auth.token`).',
    '',
  );
  if (admin) {
    out.push('## Endpoints', '');
    for (const operation of admin.operations) out.push(...operationSection(operation));
  }
  if (others.length > 0) {
    out.push('## Other endpoints', '', 'Described in full in `/openapi.json` and at `/docs`.', '');
    out.push(table(['method', 'path', 'what', 'auth'], others.flatMap((tag) => tag.operations.map((operation) => [operation.method, `\`${operation.path}\``, operation.summary, operation.auth]))));
    out.push('');
  }
  return out.join('\n');
}

function operationSection(operation: OperationView): string[] {
  const out = [`### \`${operation.method} ${operation.path}\``, ''];
  if (operation.summary) out.push(`${operation.summary}.`, '');
  if (operation.description) out.push(operation.description, '');
  out.push(`Auth: ${operation.auth}.`, '');
  if (operation.parameters.length > 0) {
    out.push('Parameters:', '', table(['name', 'in', 'type', 'required', 'notes'], operation.parameters.map((row) => [`\`${row.name}\``, row.in, row.type, row.required ? 'yes' : 'no', row.notes])), '');
  }
  if (operation.body) out.push(`Body (\`${operation.body.contentType}\`)${operation.body.component ? `: ${operation.body.component}` : ''}:`, '', ...bodyLines(operation.body));
  out.push('Answers:', '', table(['status', 'meaning', 'body'], operation.responses.map((response) => [response.status, response.description, bodyName(response.body)])), '');
  for (const response of operation.responses) {
    if (!response.body || response.body.component === 'Problem' || response.body.fields.length === 0) continue;
    out.push(`${response.status} body:`, '', ...bodyLines(response.body));
  }
  return out;
}

function bodyLines(body: BodyView): string[] {
  const out: string[] = [];
  if (body.fields.length > 0) out.push(fieldTable(body.fields), '');
  if (body.example !== undefined) out.push('```json', JSON.stringify(body.example, null, 2), '```', '');
  return out;
}

function bodyName(body: BodyView | undefined): string {
  if (!body) return '—';
  if (body.component) return body.component === 'Problem' ? 'error (see Errors)' : body.component;
  return `\`${body.contentType}\``;
}

function fieldTable(rows: FieldRow[]): string {
  return table(['field', 'type', 'required', 'notes'], rows.map((row) => [`\`${row.name}\``, row.type, row.required ? 'yes' : 'no', row.notes]));
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** Pipes that are not already escaped (type unions are) would split the cell. */
function escapeCell(text: string): string {
  return text.replace(/\n/g, ' ').replace(/(?<!\\)\|/g, '\\|');
}

export function replaceGeneratedSection(doc: string, generated: string): string {
  const section = `${GENERATED_BEGIN}\n${generated}${GENERATED_END}`;
  const begin = doc.indexOf(GENERATED_BEGIN);
  const end = doc.indexOf(GENERATED_END);
  if (begin === -1 || end < begin) return `${doc.trimEnd()}\n\n${section}\n`;
  return doc.slice(0, begin) + section + doc.slice(end + GENERATED_END.length);
}

/** The generated section of `doc`, or `undefined` when it has no markers. */
export function extractGeneratedSection(doc: string): string | undefined {
  const begin = doc.indexOf(GENERATED_BEGIN);
  const end = doc.indexOf(GENERATED_END);
  if (begin === -1 || end < begin) return undefined;
  return doc.slice(begin + GENERATED_BEGIN.length + 1, end);
}
