/**
 * @module sim/clevertap/percentile
 * Nearest-rank percentile over an ascending array: simple, exact for small samples, and the
 * same definition autocannon-style reports use.
 */
export function percentile(sortedAsc: readonly number[], p: number): number {
  if (sortedAsc.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sortedAsc.length);
  return sortedAsc[Math.min(sortedAsc.length, Math.max(1, rank)) - 1]!;
}
