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
  const future = deltaMs > 0;
  const seconds = Math.round(Math.abs(deltaMs) / 1000);
  const text =
    seconds < 5 ? 'just now' : seconds < 60 ? `${seconds} s` : seconds < 3600 ? `${Math.round(seconds / 60)} min` : seconds < 86_400 ? `${Math.round(seconds / 3600)} h` : `${Math.round(seconds / 86_400)} d`;
  if (text === 'just now') return text;
  return future ? `in ${text}` : `${text} ago`;
}
