/**
 * One message: what CleverTap sent (as accepted), where it stands, and its timeline, refreshed
 * every second until the message has nothing more to wait for.
 */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { useApi } from '../api/context.tsx';
import type { MessageDetail } from '../api/types.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { Timeline } from '../components/timeline.tsx';

export function useMessage(id: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['message', id],
    enabled: id !== undefined,
    queryFn: () => api.get<MessageDetail>(`/v1/admin/messages/${encodeURIComponent(id!)}`),
    // Poll while statuses or callbacks may still come.
    refetchInterval: (query) => (settled(query.state.data) ? false : 1_000),
  });
}

/** Read or failed, and no callback still pending: nothing more will happen on its own. */
function settled(detail: MessageDetail | undefined): boolean {
  if (!detail) return false;
  const finalState = detail.message.state === 'read' || detail.message.state === 'failed';
  return finalState && !detail.timeline.some((entry) => entry.kind === 'callback' && entry.outcome === 'pending');
}

export function MessagePage({ id }: { id: string }) {
  const detail = useMessage(id);
  const message = detail.data?.message;
  return (
    <section>
      <h1>
        <Link href="/messages">Messages</Link> / {message?.msgId ?? id}
      </h1>
      <ErrorNotice error={detail.error} />
      {message ? (
        <div className="two-columns">
          <div className="card">
            <h2>Timeline</h2>
            <Timeline entries={detail.data!.timeline} />
          </div>
          <div className="card">
            <h2>
              Message <span className={`state state-${message.state}`}>{message.state}</span>
            </h2>
            <dl className="facts">
              <dt>Account</dt>
              <dd>{message.accountId}</dd>
              <dt>To</dt>
              <dd>+{message.to}</dd>
              <dt>From</dt>
              <dd>+{message.wabaNumber}</dd>
              {message.campaign ? (
                <>
                  <dt>Campaign</dt>
                  <dd>{message.campaign}</dd>
                </>
              ) : null}
              {message.wamid ? (
                <>
                  <dt>Meta's id</dt>
                  <dd className="url">{message.wamid}</dd>
                </>
              ) : null}
              {message.preflight ? (
                <>
                  <dt>Pre-flight</dt>
                  <dd>{message.preflight}</dd>
                </>
              ) : null}
              {message.failure ? (
                <>
                  <dt>Failure</dt>
                  <dd className="bad">
                    {message.failure.metaCode ? `Meta ${message.failure.metaCode}: ` : ''}
                    {message.failure.title} ({message.failure.reason}){message.failure.detail ? ` — ${message.failure.detail}` : ''}
                  </dd>
                </>
              ) : null}
            </dl>
            <h3>As accepted from CleverTap</h3>
            <pre>{JSON.stringify(message.content, null, 2)}</pre>
          </div>
        </div>
      ) : null}
    </section>
  );
}
