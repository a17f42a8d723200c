/**
 * @module sim/meta/templates
 * The template store and the WABA listing endpoint's paging. One store is shared by every WABA
 * the simulator hosts: tests seldom need per-WABA catalogues, and one store keeps lookups O(1).
 * Cursors are opaque (base64url, like Graph's) and name a template's place in the store, not its
 * position in the filtered list: adding templates, or a template leaving a `status` filter
 * between two page requests, never repeats or skips an unchanged one nor invalidates a cursor.
 */
import type { SeedTemplate, TemplateCategory, TemplateComponentDef, TemplateStatus } from './default-templates.js';

export interface StoredTemplate {
  id: string;
  /** Place in listing order: assigned once, kept when the template is replaced. */
  seq: number;
  name: string;
  language: string;
  status: TemplateStatus;
  category: TemplateCategory;
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: TemplateComponentDef[];
}

export const TEMPLATE_STATUSES: readonly TemplateStatus[] = [
  'APPROVED',
  'PENDING',
  'REJECTED',
  'PAUSED',
  'DISABLED',
  'IN_APPEAL',
  'PENDING_DELETION',
  'DELETED',
  'LIMIT_EXCEEDED',
  'ARCHIVED',
];

let nextGeneratedId = 1_700_000_000_000_000;

export class TemplateStore {
  private readonly byKey = new Map<string, StoredTemplate>();
  private readonly byLowerKey = new Map<string, StoredTemplate>();
  private readonly byId = new Map<string, StoredTemplate>();
  private ordered: StoredTemplate[] = [];
  private nextSeq = 0;

  constructor(seed: readonly SeedTemplate[]) {
    for (const t of seed) this.upsert(t);
  }

  /** Adds a template, or replaces the one with the same name and language (keeping its place). */
  upsert(seed: SeedTemplate): StoredTemplate {
    const key = seed.name + '\u0000' + seed.language;
    const existing = this.byKey.get(key);
    const template: StoredTemplate = {
      id: seed.id ?? existing?.id ?? String(nextGeneratedId++),
      seq: existing?.seq ?? this.nextSeq++,
      name: seed.name,
      language: seed.language,
      status: seed.status ?? 'APPROVED',
      category: seed.category ?? 'MARKETING',
      parameter_format: seed.parameter_format ?? 'POSITIONAL',
      components: structuredClone(seed.components),
    };
    if (existing) {
      this.byId.delete(existing.id);
      this.ordered[this.ordered.indexOf(existing)] = template;
    } else {
      this.ordered.push(template);
    }
    this.byKey.set(key, template);
    this.byLowerKey.set(key.toLowerCase(), template);
    this.byId.set(template.id, template);
    return template;
  }

  /**
   * Exact match first; then case-insensitive, because CleverTap forwards names as typed
   * (`Sample_Template`) while Meta only stores lowercase names.
   */
  find(name: string, language: string): StoredTemplate | undefined {
    const key = name + '\u0000' + language;
    return this.byKey.get(key) ?? this.byLowerKey.get(key.toLowerCase());
  }

  /** Exact name and language only, as `upsert` matches. */
  exact(name: string, language: string): StoredTemplate | undefined {
    return this.byKey.get(name + '\u0000' + language);
  }

  byTemplateId(id: string): StoredTemplate | undefined {
    return this.byId.get(id);
  }

  setStatus(id: string, status: TemplateStatus): StoredTemplate | undefined {
    const t = this.byId.get(id);
    if (t) t.status = status;
    return t;
  }

  all(): readonly StoredTemplate[] {
    return this.ordered;
  }
}

export interface ListQuery {
  limit?: string | undefined;
  after?: string | undefined;
  before?: string | undefined;
  fields?: string | undefined;
  status?: string | undefined;
  category?: string | undefined;
  language?: string | undefined;
  name?: string | undefined;
}

export type ListResult =
  | { ok: true; body: { data: Record<string, unknown>[]; paging?: Record<string, unknown> } }
  | { ok: false; message: string };

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 1000;

/**
 * One page of `GET /{waba-id}/message_templates`. `pageUrl(cursorParam, cursor)` builds the
 * `next`/`previous` links so they carry the caller's other query parameters.
 */
export function listTemplates(
  store: TemplateStore,
  query: ListQuery,
  pageUrl: (param: 'after' | 'before', cursor: string) => string,
): ListResult {
  let limit = DEFAULT_LIMIT;
  if (query.limit !== undefined) {
    limit = Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1) return { ok: false, message: 'Param limit must be a positive integer' };
    limit = Math.min(limit, MAX_LIMIT);
  }
  const statuses = upperSet(query.status);
  const categories = upperSet(query.category);
  const languages = csvSet(query.language);
  const nameFilter = query.name ? query.name.toLowerCase() : undefined;
  const filtered = store.all().filter(
    (t) =>
      (!statuses || statuses.has(t.status)) &&
      (!categories || categories.has(t.category)) &&
      (!languages || languages.has(t.language)) &&
      (nameFilter === undefined || t.name.toLowerCase().includes(nameFilter)),
  );

  let start = 0;
  let end: number;
  if (query.after !== undefined) {
    const seq = decodeCursor(query.after);
    if (seq === undefined) return { ok: false, message: 'Invalid after cursor' };
    start = firstAtOrAfter(filtered, seq + 1);
    end = Math.min(filtered.length, start + limit);
  } else if (query.before !== undefined) {
    const seq = decodeCursor(query.before);
    if (seq === undefined) return { ok: false, message: 'Invalid before cursor' };
    end = firstAtOrAfter(filtered, seq);
    start = Math.max(0, end - limit);
  } else {
    end = Math.min(filtered.length, limit);
  }

  const page = filtered.slice(start, end);
  const fields = query.fields ? new Set(query.fields.split(',').map((f) => f.trim()).filter(Boolean)) : undefined;
  const data = page.map((t) => projectTemplate(t, fields));
  if (page.length === 0) return { ok: true, body: { data } };

  const first = page[0] as StoredTemplate;
  const last = page[page.length - 1] as StoredTemplate;
  const before = encodeCursor(first.seq);
  const after = encodeCursor(last.seq);
  const paging: Record<string, unknown> = { cursors: { before, after } };
  if (start > 0) paging.previous = pageUrl('before', before);
  if (end < filtered.length) paging.next = pageUrl('after', after);
  return { ok: true, body: { data, paging } };
}

/** Requested fields plus `id`, which Graph always returns. */
export function projectTemplate(t: StoredTemplate, fields: Set<string> | undefined): Record<string, unknown> {
  const full: Record<string, unknown> = {
    name: t.name,
    parameter_format: t.parameter_format,
    components: t.components,
    language: t.language,
    status: t.status,
    category: t.category,
    id: t.id,
  };
  if (!fields) return full;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in full) out[f] = full[f];
  out.id = t.id;
  return out;
}

/** URL-safe, so a client that forgets to encode it still sends it intact. */
function encodeCursor(seq: number): string {
  return Buffer.from('tpl:' + seq).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  // Node's base64url decoder also takes the standard alphabet and padding.
  const decoded = Buffer.from(cursor, 'base64url').toString();
  const match = /^tpl:(\d{1,15})$/.exec(decoded);
  return match ? Number(match[1]) : undefined;
}

/** Index of the first template whose `seq` is at least `seq` (the list is in `seq` order). */
function firstAtOrAfter(list: readonly StoredTemplate[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as StoredTemplate).seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function csvSet(csv: string | undefined): Set<string> | undefined {
  if (!csv) return undefined;
  const values = csv.split(',').map((s) => s.trim()).filter(Boolean);
  return values.length > 0 ? new Set(values) : undefined;
}

function upperSet(csv: string | undefined): Set<string> | undefined {
  const values = csvSet(csv);
  return values && new Set([...values].map((v) => v.toUpperCase()));
}
