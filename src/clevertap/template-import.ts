/**
 * @module clevertap/template-import
 * CleverTap's optional template-import endpoint (spec §5): a GET that CleverTap pages through
 * with `limit` and `after`, expecting Meta's own `message_templates` listing format "exactly".
 * Pure: the caller supplies the approved templates (already in a stable order) and the URL it
 * was called with; this builds the page.
 *
 * Cursors are base64url of the last template id on the page, so a page boundary does not move
 * when templates are added elsewhere in the list.
 */

export const DEFAULT_IMPORT_LIMIT = 50;
export const MAX_IMPORT_LIMIT = 500;

export interface TemplateImportInput {
  /** Only APPROVED templates, in a stable order (by id); `raw` is Meta's JSON for the template. */
  approved: readonly { id: string; raw: unknown }[];
  /** The `limit` query parameter as received; missing or unreadable → 50, clamped to 1..500. */
  limit?: number | string | undefined;
  /** The `after` query parameter as received. */
  after?: string | undefined;
  /** The URL CleverTap called, absolute or path-only; `paging.next` keeps its other parameters. */
  requestUrl: string;
}

export type TemplateImportResponse = { status: 200; body: string } | { status: 400; body: string };

export function templateImportPage(input: TemplateImportInput): TemplateImportResponse {
  const limit = clampLimit(input.limit);
  let start = 0;
  if (input.after !== undefined && input.after !== '') {
    const id = decodeTemplateImportCursor(input.after);
    if (id === undefined) return badRequest(`after cursor "${input.after}" is not a cursor this endpoint issued`);
    const at = input.approved.findIndex((t) => t.id === id);
    // A template that stopped being approved mid-import leaves nowhere to resume from.
    if (at < 0) return badRequest(`after cursor "${input.after}" names a template that is no longer approved; restart the import`);
    start = at + 1;
  }

  const page = input.approved.slice(start, start + limit);
  const first = page[0];
  const last = page[page.length - 1];
  // Meta answers an empty page with `data` alone; CleverTap stops on empty data or no `next`.
  if (!first || !last) return { status: 200, body: '{"data":[]}' };

  const after = encodeTemplateImportCursor(last.id);
  const paging: { cursors: { before: string; after: string }; next?: string } = {
    cursors: { before: encodeTemplateImportCursor(first.id), after },
  };
  if (start + page.length < input.approved.length) paging.next = nextUrl(input.requestUrl, limit, after);
  return { status: 200, body: JSON.stringify({ data: page.map((t) => t.raw), paging }) };
}

function clampLimit(raw: number | string | undefined): number {
  const value = typeof raw === 'string' ? (raw.trim() === '' ? Number.NaN : Number(raw)) : raw;
  if (value === undefined || !Number.isFinite(value)) return DEFAULT_IMPORT_LIMIT;
  return Math.min(MAX_IMPORT_LIMIT, Math.max(1, Math.floor(value)));
}

export function encodeTemplateImportCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** The id inside a cursor, or undefined for anything `encodeTemplateImportCursor` could not have produced. */
export function decodeTemplateImportCursor(cursor: string): string | undefined {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  // Node decodes leniently (skipping bad characters, replacing bad UTF-8); a round trip catches both.
  return id !== '' && encodeTemplateImportCursor(id) === cursor ? id : undefined;
}

const PLACEHOLDER_ORIGIN = 'http://placeholder.invalid';

/** The request URL with `limit` and `after` set and every other query parameter kept. */
function nextUrl(requestUrl: string, limit: number, after: string): string {
  let url: URL;
  let absolute = true;
  try {
    url = new URL(requestUrl);
  } catch {
    absolute = false;
    url = new URL(requestUrl, PLACEHOLDER_ORIGIN);
  }
  url.searchParams.set('limit', String(limit));
  url.searchParams.set('after', after);
  return absolute ? url.href : `${url.pathname}${url.search}`;
}

function badRequest(message: string): TemplateImportResponse {
  return { status: 400, body: JSON.stringify({ error: { message, type: 'InvalidParameter', code: 100 } }) };
}
