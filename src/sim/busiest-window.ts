/**
 * @module sim/busiest-window
 * How Meta judges a sending rate: the most events inside any one-second window. Half-open, so
 * events exactly a second apart do not share one. `times` must be sorted.
 */
export function busiestWindow(times: readonly number[], windowMs = 1000): number {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
