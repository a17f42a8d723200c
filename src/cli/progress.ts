/**
 * @module cli/progress
 * A progress bar for the CLI's long steps, with no dependency: on a terminal one line redrawn in
 * place (`\r`, cleared to its end), at most every 80 ms; elsewhere (a pipe, a CI log, a test)
 * plain lines at most once a second and always the last one, so a log reads as a record instead
 * of a heap of control characters.
 */

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  label: string;
  total: number;
  stream: ProgressStream;
  /** Redraw at most this often on a terminal (ms). */
  redrawEveryMs?: number;
  /** Print at most this often without a terminal (ms). */
  plainEveryMs?: number;
  now?: () => number;
}

export interface Progress {
  /** `done` of `total` so far; `detail` is shown after the count. */
  update(done: number, detail?: string): void;
  /** The last state, drawn whatever the throttle says, and the line ended. */
  finish(done: number, detail?: string): void;
}

const FULL = '█';
const EMPTY = '░';

/** `[████░░░░]` for `done` of `total` in `width` cells; an empty total counts as complete. */
export function renderBar(done: number, total: number, width: number): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(ratio * width);
  return `[${FULL.repeat(filled)}${EMPTY.repeat(width - filled)}]`;
}

/** `label  [████░░░░] 120/200  60%  detail`. */
export function progressLine(label: string, done: number, total: number, detail: string | undefined, barWidth: number): string {
  const percent = total > 0 ? Math.floor((100 * Math.min(done, total)) / total) : 100;
  const count = `${String(done).padStart(String(total).length)}/${total}`;
  return `${label}  ${renderBar(done, total, barWidth)} ${count} ${String(percent).padStart(3)}%${detail ? `  ${detail}` : ''}`;
}

/** A plain line without the bar, for logs. */
function plainLine(label: string, done: number, total: number, detail: string | undefined): string {
  const percent = total > 0 ? Math.floor((100 * Math.min(done, total)) / total) : 100;
  return `${label}: ${done}/${total} (${percent}%)${detail ? ` ${detail}` : ''}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const { label, total, stream } = options;
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  const every = tty ? (options.redrawEveryMs ?? 80) : (options.plainEveryMs ?? 1000);
  let last = Number.NEGATIVE_INFINITY;
  let finished = false;

  const draw = (done: number, detail: string | undefined, final: boolean) => {
    if (tty) {
      // The bar takes what the terminal's width leaves after the words, between 10 and 40 cells.
      const words = progressLine(label, done, total, detail, 0).length;
      const barWidth = Math.max(10, Math.min(40, (stream.columns ?? 80) - words - 1));
      stream.write(`\r${progressLine(label, done, total, detail, barWidth)}\x1b[K${final ? '\n' : ''}`);
    } else {
      stream.write(`${plainLine(label, done, total, detail)}\n`);
    }
  };

  return {
    update(done, detail) {
      if (finished) return;
      const at = now();
      if (at - last < every) return;
      last = at;
      draw(done, detail, false);
    },
    finish(done, detail) {
      if (finished) return;
      finished = true;
      draw(done, detail, true);
    },
  };
}
