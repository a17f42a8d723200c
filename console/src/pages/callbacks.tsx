/**
 * Callbacks: per CleverTap callback URL, what was delivered and dead-lettered, the breaker
 * (consecutive failures, blocked until when) and the last failure; with the queue's counts.
 * Backlog per URL and dead-letter replay need admin routes the gateway does not have yet.
 */
import { useStats } from '../api/context.tsx';
import { ErrorNotice } from '../components/error-notice.tsx';
import { When } from '../components/time.tsx';

export function CallbacksPage() {
  const stats = useStats(3_000);
  const endpoints = stats.data?.callbackEndpoints ?? [];
  const now = Date.now();
  return (
    <section>
      <h1>Callbacks</h1>
      <ErrorNotice error={stats.error} />
      {stats.data?.queue ? (
        <div className="tiles">
          {Object.entries(stats.data.queue).map(([name, count]) => (
            <div className="tile" key={name}>
              <span className="tile-value">{count}</span>
              <span className="tile-label">queue: {name}</span>
            </div>
          ))}
        </div>
      ) : null}
      {stats.data && endpoints.length === 0 ? <p>No callback has been sent to CleverTap since the gateway started.</p> : null}
      {endpoints.length > 0 ? (
        <table className="table" data-testid="callback-endpoints">
          <thead>
            <tr>
              <th title="Paths are hidden: they carry CleverTap's tenant tokens">CleverTap URL (origin)</th>
              <th>Delivered</th>
              <th>Dead letters</th>
              <th>Breaker</th>
              <th>Last failure</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((endpoint) => {
              const open = endpoint.blockedUntil > now;
              return (
                <tr key={endpoint.url}>
                  <td className="url">{endpoint.url}</td>
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
    </section>
  );
}
