/**
 * Callbacks: per CleverTap callback URL, the backlog and how long the oldest callback due has
 * been owed, what was delivered and dead-lettered, the breaker (consecutive failures, blocked
 * until when) and the last failure; with the queue's counts; and the dead letters (callbacks
 * CleverTap refused or never accepted), each replayable, or all.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client.ts';
import { useApi, useStats } from '../api/context.tsx';
import type { DeadLetter, QueueCounts } from '../api/types.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { duration, When } from '../components/time.tsx';

export function CallbacksPage() {
  const stats = useStats(3_000);
  const endpoints = stats.data?.callbackEndpoints ?? [];
  const now = Date.now();
  const backlog = callbackBacklogByOrigin(stats.data?.queue ?? []);
  // The age as of the stats' arrival, so it does not jump between two polls of the same figures.
  const statsAt = stats.dataUpdatedAt || now;
  return (
    <section>
      <h1>Callbacks</h1>
      <ErrorNotice error={stats.error} />
      {stats.data?.queue ? <QueueTiles rows={stats.data.queue} /> : null}
      {stats.data && endpoints.length === 0 ? <p>No callback has been sent to CleverTap since the gateway started.</p> : null}
      {endpoints.length > 0 ? (
        <table className="table" data-testid="callback-endpoints">
          <thead>
            <tr>
              <th title="Paths are hidden: they carry CleverTap's tenant tokens">CleverTap URL (origin)</th>
              <th>Backlog</th>
              <th title="How long the oldest callback due (not being sent) has waited since it was owed">Oldest owed</th>
              <th>Delivered</th>
              <th>Dead letters</th>
              <th>Breaker</th>
              <th>Last failure</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((endpoint) => {
              const open = endpoint.blockedUntil > now;
              const owed = backlog.get(originOf(endpoint.url));
              return (
                <tr key={endpoint.url}>
                  <td className="url">{endpoint.url}</td>
                  <td>{owed?.jobs ?? 0}</td>
                  <td data-testid="oldest-owed">{owed && owed.oldestReadyAt !== null ? duration(statsAt - owed.oldestReadyAt) : <span className="muted">—</span>}</td>
                  <td>{endpoint.delivered}</td>
                  <td className={endpoint.deadLettered > 0 ? 'bad' : ''}>{endpoint.deadLettered}</td>
                  <td>
                    {open ? (
                      <span className="bad">
                        open, retry <When at={endpoint.blockedUntil} /> ({endpoint.consecutiveFailures} failures)
                      </span>
                    ) : endpoint.consecutiveFailures > 0 ? (
                      <span className="warn">{endpoint.consecutiveFailures} failures in a row</span>
                    ) : (
                      <span className="ok">closed</span>
                    )}
                  </td>
                  <td>{endpoint.lastError ?? <span className="muted">—</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <DeadLetters />
    </section>
  );
}

function DeadLetters() {
  const api = useApi();
  const queryClient = useQueryClient();
  const dead = useQuery({
    queryKey: ['dead-letters'],
    queryFn: async () => (await api.get<{ data: DeadLetter[] }>('/v1/admin/callbacks/dead-letters?limit=200')).data,
    refetchInterval: 3_000,
  });
  const replay = useMutation({
    mutationFn: (body: { ids: string[] } | { all: true }) => api.send<{ replayed: number; notFound: number }>('POST', '/v1/admin/callbacks/dead-letters/replay', body),
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['dead-letters'] }), queryClient.invalidateQueries({ queryKey: ['stats'] })]),
  });
  if (dead.error instanceof ApiError && dead.error.status === 404) return null;
  return (
    <>
      <div className="page-head section-head">
        <h2>Dead letters</h2>
        {dead.data && dead.data.length > 0 ? (
          <button type="button" onClick={() => replay.mutate({ all: true })} disabled={replay.isPending}>
            Replay all ({dead.data.length})
          </button>
        ) : null}
      </div>
      <ErrorNotice error={dead.error} />
      <ErrorNotice error={replay.error} what="Replay" />
      {replay.data ? (
        <div className="notice ok" role="status">
          {replay.data.replayed} callback{replay.data.replayed === 1 ? '' : 's'} queued again{replay.data.notFound ? `; ${replay.data.notFound} no longer dead-lettered` : ''}.
        </div>
      ) : null}
      {dead.data?.length === 0 ? <p className="muted">No dead letters: CleverTap accepted every callback it was sent, or is still being retried.</p> : null}
      {dead.data && dead.data.length > 0 ? (
        <table className="table" data-testid="dead-letters">
          <thead>
            <tr>
              <th>Given up</th>
              <th>Account</th>
              <th>Kind</th>
              <th>msgId</th>
              <th>CleverTap URL (origin)</th>
              <th>Attempts</th>
              <th>Last failure</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {dead.data.map((letter) => (
              <tr key={letter.id} data-dead-letter={letter.id}>
                <td>
                  <When at={letter.deadAt} />
                </td>
                <td>{letter.accountId}</td>
                <td>{letter.kind}</td>
                <td>{letter.msgId ?? <span className="muted">—</span>}</td>
                <td className="url">{letter.url}</td>
                <td>{letter.attempts}</td>
                <td className="bad">{letter.reason}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => replay.mutate({ ids: [letter.id] })} disabled={replay.isPending}>
                    Replay
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

/** Jobs per queue, all partitions summed. */
function QueueTiles({ rows }: { rows: readonly QueueCounts[] }) {
  const byQueue = new Map<string, { waiting: number; dead: number }>();
  for (const row of rows) {
    const total = byQueue.get(row.queue) ?? { waiting: 0, dead: 0 };
    total.waiting += row.ready + row.scheduled + row.leased;
    total.dead += row.dead;
    byQueue.set(row.queue, total);
  }
  return (
    <div className="tiles">
      {[...byQueue].map(([name, total]) => (
        <div className="tile" key={name}>
          <span className="tile-value">{total.waiting}</span>
          <span className="tile-label">
            {name} queue: waiting{total.dead ? `, ${total.dead} dead` : ''}
          </span>
        </div>
      ))}
    </div>
  );
}

/**
 * Callbacks still owed per callback URL origin, and when the oldest of those due was owed. The
 * callback queue is partitioned by the whole URL, whose path carries CleverTap's tenant token:
 * only its origin is kept.
 */
function callbackBacklogByOrigin(rows: readonly QueueCounts[]): Map<string, { jobs: number; oldestReadyAt: number | null }> {
  const backlog = new Map<string, { jobs: number; oldestReadyAt: number | null }>();
  for (const row of rows) {
    if (row.queue !== 'callbacks') continue;
    const origin = originOf(row.partitionKey);
    const entry = backlog.get(origin) ?? { jobs: 0, oldestReadyAt: null };
    entry.jobs += row.ready + row.scheduled + row.leased;
    const oldest = row.oldestReadyAt;
    if (oldest !== null && (entry.oldestReadyAt === null || oldest < entry.oldestReadyAt)) entry.oldestReadyAt = oldest;
    backlog.set(origin, entry);
  }
  return backlog;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
