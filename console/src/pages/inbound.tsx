/**
 * Inbound: the latest messages WhatsApp users sent, per account, with the campaign message they
 * reply to and whether CleverTap accepted the inbound-message callback.
 */
import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { useAccountIds, useApi } from '../api/context.tsx';
import type { InboundSummary, Page } from '../api/types.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { Pager } from '../components/pager.tsx';
import { When } from '../components/time.tsx';

export function InboundPage() {
  const api = useApi();
  const { ids } = useAccountIds();
  const [account, setAccount] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const query = new URLSearchParams();
  if (account) query.set('account', account);
  if (cursor) query.set('cursor', cursor);
  const page = useQuery({
    queryKey: ['inbound', query.toString()],
    queryFn: () => api.get<Page<InboundSummary>>(`/v1/admin/inbound?${query.toString()}`),
    placeholderData: keepPreviousData,
    refetchInterval: cursor ? false : 5_000,
  });
  return (
    <section>
      <div className="page-head">
        <h1>Inbound</h1>
        <label className="inline">
          Account{' '}
          <select
            aria-label="Account"
            value={account}
            onChange={(event) => {
              setAccount(event.target.value);
              setCursors([]);
            }}
          >
            <option value="">all</option>
            {ids.map((id) => (
              <option key={id}>{id}</option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNotice error={page.error} />
      {page.data?.data.length === 0 ? <p>No inbound message yet.</p> : null}
      {page.data && page.data.data.length > 0 ? (
        <table className="table" data-testid="inbound-table">
          <thead>
            <tr>
              <th>Received</th>
              <th>Account</th>
              <th>From</th>
              <th>Type</th>
              <th>Text or caption</th>
              <th>Replies to</th>
              <th>CleverTap</th>
            </tr>
          </thead>
          <tbody>
            {page.data.data.map((inbound) => (
              <tr key={inbound.wamid}>
                <td>
                  <When at={inbound.receivedAt} />
                </td>
                <td>{inbound.accountId}</td>
                <td>+{inbound.from}</td>
                <td>{inbound.kind ?? '—'}</td>
                <td>
                  {inbound.text ?? ''}
                  {inbound.mediaUrl ? (
                    <>
                      {' '}
                      <a href={inbound.mediaUrl} target="_blank" rel="noreferrer">
                        media
                      </a>
                    </>
                  ) : null}
                </td>
                <td>{inbound.contextMsgId ? <Link href={`/messages?msgId=${encodeURIComponent(inbound.contextMsgId)}`}>{inbound.contextMsgId}</Link> : <span className="muted">—</span>}</td>
                <td>
                  <CallbackState callback={inbound.callback} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={page.data?.nextCursor} />
    </section>
  );
}

function CallbackState({ callback }: { callback: InboundSummary['callback'] }) {
  if (!callback) return <span className="muted">no callback URL</span>;
  if (callback.deliveredAt !== undefined) return <span className="ok">accepted{callback.httpStatus ? ` (HTTP ${callback.httpStatus})` : ''}</span>;
  if (callback.deadAt !== undefined) return <span className="bad" title={callback.lastError}>given up: {callback.lastError ?? ''}</span>;
  if (callback.lastError) return <span className="warn" title={callback.lastError}>retrying: {callback.lastError}</span>;
  return <span className="muted">pending</span>;
}
