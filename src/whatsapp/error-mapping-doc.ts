/**
 * @module whatsapp/error-mapping-doc
 * Renders the error-mapping tables of `docs/error-mapping.md` from the code, so the document
 * cannot drift from what the gateway does. The CleverTap table is a parameter because
 * `whatsapp/` may not import `clevertap/`; `scripts/render-error-mapping.ts` joins the two.
 */
import type { FailureReason } from '../domain/failure.js';
import {
  META_ERROR_RANGES,
  META_ERROR_REFINEMENTS,
  META_ERROR_RULES,
  RETRY_CLASS_MEANINGS,
  UNKNOWN_META_ERROR_RULE,
  type MetaErrorRule,
} from './errors.js';

/** Structurally CleverTap's DLR-code table (`CLEVERTAP_DLR_CODES`). */
export type ClevertapCodeTable = Readonly<Record<FailureReason, { code: number; title: string }>>;

/** The generated part of the document sits between these markers; prose around it is hand-written. */
export const GENERATED_BEGIN = '<!-- BEGIN GENERATED: npx tsx scripts/render-error-mapping.ts -->';
export const GENERATED_END = '<!-- END GENERATED -->';

/** The Markdown tables: Meta code → reason → CleverTap code, refinements, reasons, retry classes. */
export function renderErrorMappingMarkdown(clevertapCodes: ClevertapCodeTable): string {
  const ctCode = (r: MetaErrorRule) => String(clevertapCodes[r.reason].code);

  const codeRows: { sortKey: number; cells: string[] }[] = [...META_ERROR_RULES].map(([code, r]) => ({
    sortKey: code,
    cells: [String(code), r.title, r.reason, ctCode(r), r.retry, r.note],
  }));
  for (const range of META_ERROR_RANGES) {
    const r = range.rule;
    codeRows.push({ sortKey: range.first, cells: [`${range.first}–${range.last}`, r.title, r.reason, ctCode(r), r.retry, r.note] });
  }
  codeRows.sort((a, b) => a.sortKey - b.sortKey);
  const unknown = UNKNOWN_META_ERROR_RULE;
  codeRows.push({ sortKey: Infinity, cells: ['any other', '—', unknown.reason, ctCode(unknown), unknown.retry, unknown.note] });

  const refinementRows = META_ERROR_REFINEMENTS.map((refinement) => {
    const r = refinement.rule;
    return [refinement.codes.join(', '), refinement.when, r.reason, ctCode(r), r.retry, r.note];
  });

  const reasonRows = (Object.entries(clevertapCodes) as [FailureReason, { code: number; title: string }][])
    .sort(([, a], [, b]) => a.code - b.code)
    .map(([reason, ct]) => [reason, String(ct.code), ct.title]);

  const retryRows = Object.entries(RETRY_CLASS_MEANINGS).map(([retry, meaning]) => [retry, meaning]);

  return [
    '### Meta error code → canonical reason → CleverTap DLR code',
    '',
    table(['Meta code', 'Meta title', 'canonical reason', 'CleverTap code', 'retry', 'note'], codeRows.map((row) => row.cells)),
    '',
    '### Refinements (checked before the code table; first match wins)',
    '',
    table(['Meta code', 'when', 'canonical reason', 'CleverTap code', 'retry', 'note'], refinementRows),
    '',
    '### Canonical reason → CleverTap DLR code',
    '',
    table(['canonical reason', 'CleverTap code', 'CleverTap title'], reasonRows),
    '',
    '### Retry classes',
    '',
    table(['retry', 'what the send dispatcher does'], retryRows),
    '',
  ].join('\n');
}

/** `doc` with its generated section replaced by `generated`; markers are appended when missing. */
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

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
