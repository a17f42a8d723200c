/**
 * What an open operator console asks of the gateway, replayed once a second: the pages' queries
 * (accounts with their health, the stats, the newest messages, the dashboard, dead letters) as the
 * console's own fetches make them, for `bench:ingest --console-poll`. The point is the hot path's
 * cost of an operator watching, so the answers are only counted, never checked beyond their status.
 */
import { request } from 'undici';

/** The console's queries (console/src/pages/*): each page polls one or two of these. */
export const CONSOLE_QUERIES = [
  '/v1/admin/accounts',
  '/v1/admin/stats',
  '/v1/admin/messages?limit=50',
  '/v1/admin/dashboard',
  '/v1/admin/callbacks/dead-letters?limit=50',
] as const;

export interface ConsolePollResult {
  polls: number;
  /** Answers by HTTP status (0: no answer). */
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

export function startConsolePoller(baseUrl: string, authorization: string, everyMs = 1000): { stop(): Promise<ConsolePollResult> } {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let polls = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  const poll = async () => {
    polls++;
    await Promise.all(
      CONSOLE_QUERIES.map(async (path) => {
        const started = performance.now();
        let status = 0;
        try {
          const response = await request(`${baseUrl}${path}`, { headers: { authorization }, headersTimeout: 10_000, bodyTimeout: 10_000 });
          await response.body.text();
          status = response.statusCode;
        } catch {
          status = 0;
        }
        latencies.push(performance.now() - started);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }),
    );
  };
  const timer = setInterval(() => {
    inFlight = poll();
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      const sorted = [...latencies].sort((a, b) => a - b);
      const at = (share: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!);
      return { polls, statuses, p50Ms: Math.round(at(0.5)), p99Ms: Math.round(at(0.99)) };
    },
  };
}
