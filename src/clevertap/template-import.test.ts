import { describe, expect, it } from 'vitest';
import { decodeTemplateImportCursor, encodeTemplateImportCursor, templateImportPage, type TemplateImportInput } from './template-import.js';

interface Page {
  data: { id: string; name: string }[];
  paging?: { cursors: { before: string; after: string }; next?: string };
}

const approved = Array.from({ length: 1000 }, (_, i) => {
  const id = String(1_387_372_356_726_000 + i);
  return { id, raw: { name: `template_${i}`, language: 'en', status: 'APPROVED', category: 'MARKETING', id } };
});

function page(input: Partial<TemplateImportInput>): Page {
  const response = templateImportPage({ approved, requestUrl: 'https://gw.example.com/templates/import?wabaNumber=919999999999', ...input });
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as Page;
}

/** Follows CleverTap's documented behaviour: rebuild the URL from `after`, stop when `next` is absent. */
function importAll(limit: number): { ids: string[]; pages: Page[] } {
  const ids: string[] = [];
  const pages: Page[] = [];
  let after: string | undefined;
  for (;;) {
    const current = page({ limit, after });
    pages.push(current);
    ids.push(...current.data.map((t) => t.id));
    if (!current.paging?.next) return { ids, pages };
    after = current.paging.cursors.after;
    expect(new URL(current.paging.next).searchParams.get('after')).toBe(after);
  }
}

describe('templateImportPage', () => {
  it.each([
    [50, 20],
    [500, 2],
  ])('pages through 1,000 templates with limit %i in %i pages, each exactly once', (limit, pageCount) => {
    const { ids, pages } = importAll(limit);
    expect(pages).toHaveLength(pageCount);
    expect(ids).toEqual(approved.map((t) => t.id));
    expect(new Set(ids).size).toBe(1000);
    expect(pages.at(-1)?.paging?.next).toBeUndefined();
    expect(pages.at(-1)?.paging?.cursors.after).toBe(encodeTemplateImportCursor(approved[999]?.id ?? ''));
    for (const p of pages.slice(0, -1)) expect(p.data).toHaveLength(limit);
  });

  it("answers in Meta's format, raw templates unchanged, next keeping the caller's parameters", () => {
    const first = page({ limit: '2' });
    expect(first).toEqual({
      data: [approved[0]?.raw, approved[1]?.raw],
      paging: {
        cursors: { before: encodeTemplateImportCursor(approved[0]?.id ?? ''), after: encodeTemplateImportCursor(approved[1]?.id ?? '') },
        next: `https://gw.example.com/templates/import?wabaNumber=919999999999&limit=2&after=${encodeTemplateImportCursor(approved[1]?.id ?? '')}`,
      },
    });
  });

  it('replaces limit and after already in the URL and supports a path-only URL', () => {
    const cursor = encodeTemplateImportCursor(approved[1]?.id ?? '');
    const p = page({ limit: 3, after: cursor, requestUrl: `/templates/import?limit=3&after=${cursor}&x=1` });
    expect(p.paging?.next).toBe(`/templates/import?limit=3&after=${encodeTemplateImportCursor(approved[4]?.id ?? '')}&x=1`);
    expect(p.data.map((t) => t.id)).toEqual(approved.slice(2, 5).map((t) => t.id));
  });

  it.each<[TemplateImportInput['limit'], number]>([
    [undefined, 50],
    ['', 50],
    ['abc', 50],
    [0, 1],
    [-5, 1],
    ['7', 7],
    [2.9, 2],
    [10_000, 500],
  ])('limit %j → %i per page', (limit, expected) => {
    expect(page({ limit }).data).toHaveLength(expected);
  });

  it('an empty catalogue and a cursor at the very end answer with empty data', () => {
    expect(templateImportPage({ approved: [], requestUrl: '/t' })).toEqual({ status: 200, body: '{"data":[]}' });
    expect(page({ after: encodeTemplateImportCursor(approved[999]?.id ?? '') })).toEqual({ data: [] });
  });

  it.each([
    ['not base64url', '!!!'],
    ['non-canonical encoding', `${encodeTemplateImportCursor('1387372356726000')}=`],
    ['unknown id', encodeTemplateImportCursor('999')],
  ])('a bad cursor (%s) → 400 with a reason', (_why, after) => {
    const response = templateImportPage({ approved, after, requestUrl: '/t' });
    expect(response.status).toBe(400);
    const body = JSON.parse(response.body) as { error: { message: string; code: number } };
    expect(body.error.code).toBe(100);
    expect(body.error.message).toContain(`after cursor "${after}"`);
  });

  it('cursors round-trip and reject what they did not produce', () => {
    expect(decodeTemplateImportCursor(encodeTemplateImportCursor('1387372356726601'))).toBe('1387372356726601');
    expect(decodeTemplateImportCursor('')).toBeUndefined();
    expect(decodeTemplateImportCursor('a')).toBeUndefined();
  });
});
