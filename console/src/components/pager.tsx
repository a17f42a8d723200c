/**
 * Newer / Older over a keyset-paged list: `cursors` is the stack of pages gone through (the last
 * one is shown), so Newer pops and Older pushes the answer's `nextCursor`.
 */
export function Pager({ cursors, setCursors, nextCursor }: { cursors: string[]; setCursors(cursors: string[]): void; nextCursor: string | undefined | null }) {
  return (
    <div className="actions pager">
      {cursors.length > 0 ? (
        <button type="button" className="secondary" onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
      ) : null}
      {nextCursor ? (
        <button type="button" className="secondary" onClick={() => setCursors([...cursors, nextCursor])}>
          Older
        </button>
      ) : null}
    </div>
  );
}
