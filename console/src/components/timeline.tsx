/**
 * A message's life, one line per event: CleverTap's request accepted, the template pre-flight,
 * each Graph request and Meta's answer (error code and title), each status webhook, each callback
 * to CleverTap with its HTTP answer and latency, each click.
 */
import type { TimelineEntry } from '../api/types.ts';

const KIND_LABEL: Record<TimelineEntry['kind'], string> = {
  accepted: 'Accepted from CleverTap',
  preflight: 'Template pre-flight',
  graph: 'Sent to Meta',
  status: 'Status webhook',
  callback: 'Callback to CleverTap',
  click: 'Click',
};

const BAD_OUTCOMES = new Set(['rejected', 'no-answer', 'failed', 'dead']);

export function Timeline({ entries }: { entries: readonly TimelineEntry[] }) {
  if (entries.length === 0) return <p className="muted">Nothing recorded yet.</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {entries.map((entry, index) => (
        <li key={index} className={`timeline-entry kind-${entry.kind}${BAD_OUTCOMES.has(entry.outcome) ? ' bad-entry' : ''}`} data-kind={entry.kind} data-state={entry.state ?? ''}>
          {/* Clock times, not offsets: Meta stamps statuses in whole seconds, before the send's own millisecond time. */}
          <span className="timeline-time" title={new Date(entry.at).toLocaleString()}>
            {clock(entry.at)}
          </span>
          <span className="timeline-what">
            <strong>{KIND_LABEL[entry.kind] ?? entry.kind}</strong>
            {entry.state ? <span className="badge">{entry.state}</span> : null} <span className={BAD_OUTCOMES.has(entry.outcome) ? 'bad' : 'muted'}>{entry.outcome}</span>
            {entry.httpStatus !== undefined ? <span className="muted"> · HTTP {entry.httpStatus}</span> : null}
            {entry.latencyMs !== undefined ? <span className="muted"> · {entry.latencyMs} ms</span> : null}
            {entry.code !== undefined ? <span className="bad"> · Meta error {entry.code}</span> : null}
            {entry.title ? <span className="timeline-title"> · {entry.title}</span> : null}
            {entry.url ? <span className="timeline-url"> · {entry.url}</span> : null}
            {entry.userAgent ? <span className="muted"> · {entry.userAgent}</span> : null}
          </span>
        </li>
      ))}
    </ol>
  );
}

function clock(at: number): string {
  const time = new Date(at);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`;
}
