/**
 * The funnel as CSS bars: one row per step with its label, its count and its share of the
 * accepted messages as text, the bar only drawing what the text already says (screen readers
 * get the row as a list item; the bar is hidden from them).
 */
import type { Funnel } from './dashboard-types.ts';

const STEPS: ReadonlyArray<{ key: keyof Funnel; label: string; tone: string; hint: string }> = [
  { key: 'accepted', label: 'Accepted', tone: 'accepted', hint: 'stored and answered success to CleverTap' },
  { key: 'sent', label: 'Sent', tone: 'sent', hint: 'Meta reported sent (or later)' },
  { key: 'delivered', label: 'Delivered', tone: 'delivered', hint: 'on the phone (or read)' },
  { key: 'read', label: 'Read', tone: 'read', hint: 'opened' },
  { key: 'replied', label: 'Replied', tone: 'replied', hint: 'an inbound message answered it' },
  { key: 'clicked', label: 'Clicked', tone: 'clicked', hint: 'a tracked link was tapped' },
  { key: 'failed', label: 'Failed', tone: 'failed', hint: 'Meta or the gateway gave up' },
];

export function FunnelBars({ funnel }: { funnel: Funnel }) {
  const base = Math.max(funnel.accepted, 1);
  return (
    <ol className="funnel" aria-label="Funnel" data-testid="funnel">
      {STEPS.map((step) => {
        const count = funnel[step.key];
        const share = step.key === 'accepted' ? undefined : Math.round((count / base) * 1000) / 10;
        return (
          <li key={step.key} className="funnel-row" data-step={step.key} title={step.hint}>
            <span className="funnel-label">{step.label}</span>
            <span className="funnel-track" aria-hidden="true">
              <span className={`funnel-bar funnel-${step.tone}`} style={{ width: `${Math.min(100, (count / base) * 100)}%` }} />
            </span>
            <span className="funnel-count" data-testid={`funnel-${step.key}`}>
              {count.toLocaleString('en')}
            </span>
            <span className="funnel-share muted">{share === undefined ? '' : `${share}%`}</span>
          </li>
        );
      })}
    </ol>
  );
}
