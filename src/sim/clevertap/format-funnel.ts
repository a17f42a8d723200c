/**
 * @module sim/clevertap/format-funnel
 * Renders a funnel as the plain-text table the CLI prints, in CleverTap's stats vocabulary
 * (read is shown as "viewed"), with each stage as a share of `sent` and failures by DLR code.
 */
import { CLEVERTAP_DLR_CODES } from '../../clevertap/dlr-codes.js';
import type { Funnel } from './types.js';

const TITLES = new Map(Object.values(CLEVERTAP_DLR_CODES).map((c) => [String(c.code), c.title]));

export function formatFunnel(funnel: Funnel): string {
  const share = (n: number) => (funnel.sent > 0 ? `${((100 * n) / funnel.sent).toFixed(1)}%` : '-');
  const rows: [string, number, string][] = [
    ['sent', funnel.sent, share(funnel.sent)],
    ['delivered', funnel.delivered, share(funnel.delivered)],
    ['viewed (read)', funnel.read, share(funnel.read)],
    ['clicked', funnel.clicked, share(funnel.clicked)],
    ['replied', funnel.replied, share(funnel.replied)],
    ['failed', funnel.failed.total, share(funnel.failed.total)],
  ];
  const codes = Object.keys(funnel.failed.byCode).sort();
  for (const code of codes) {
    const n = funnel.failed.byCode[code] ?? 0;
    rows.push([`  ${code} ${TITLES.get(code) ?? ''}`.trimEnd(), n, share(n)]);
  }
  if (funnel.duplicates > 0) rows.push(['duplicate reports', funnel.duplicates, '']);

  const labelWidth = Math.max(...rows.map(([label]) => label.length), 'stage'.length);
  const countWidth = Math.max(...rows.map(([, n]) => String(n).length), 'count'.length);
  const line = (a: string, b: string, c: string) => `${a.padEnd(labelWidth)}  ${b.padStart(countWidth)}  ${c}`.trimEnd();
  return [
    `campaign ${funnel.campaignId}`,
    line('stage', 'count', 'of sent'),
    line('-'.repeat(labelWidth), '-'.repeat(countWidth), '-------'),
    ...rows.map(([label, n, pct]) => line(label, String(n), pct)),
  ].join('\n');
}
