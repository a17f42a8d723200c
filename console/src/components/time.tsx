/**
 * Times as operators read them: relative ("3 min ago") with the exact time on hover.
 */
export function When({ at, empty = '—' }: { at: string | number | undefined; empty?: string }) {
  if (at === undefined || at === '') return <span className="muted">{empty}</span>;
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return <span>{String(at)}</span>;
  return <time dateTime={date.toISOString()} title={date.toLocaleString()}>{relative(date.getTime() - Date.now())}</time>;
}

export function relative(deltaMs: number): string {
  if (Math.abs(deltaMs) < 4_500) return 'just now';
  const text = duration(Math.abs(deltaMs));
  return deltaMs > 0 ? `in ${text}` : `${text} ago`;
}

/** A length of time in the unit that reads best: "12 s", "3 min", "2 h", "4 d". */
export function duration(ms: number): string {
  const seconds = Math.round(Math.max(0, ms) / 1000);
  return seconds < 60 ? `${seconds} s` : seconds < 3600 ? `${Math.round(seconds / 60)} min` : seconds < 86_400 ? `${Math.round(seconds / 3600)} h` : `${Math.round(seconds / 86_400)} d`;
}
