/**
 * Messages: search by CleverTap's msgId, recipient, campaign (the second field of the msgId),
 * state and time, newest first, a page at a time; each opens its timeline.
 */
import { useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useLocation, useSearch } from 'wouter';
import { useAccountIds, useApi } from '../api/context.tsx';
import { MESSAGE_STATES, type MessageSummary, type Page } from '../api/types.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { Pager } from '../components/pager.tsx';
import { When } from '../components/time.tsx';
import { errorsByField } from './account-form.tsx';

const FILTERS = ['account', 'msgId', 'phone', 'campaign', 'state', 'from', 'to'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

export function MessagesPage() {
  const api = useApi();
  const search = useSearch();
  const [, navigate] = useLocation();
  const applied: Filters = Object.fromEntries(FILTERS.map((key) => [key, new URLSearchParams(search).get(key) ?? '']).filter(([, value]) => value));
  const [draft, setDraft] = useState<Filters>(applied);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const { ids } = useAccountIds();

  const query = new URLSearchParams(applied as Record<string, string>);
  if (cursor) query.set('cursor', cursor);
  const page = useQuery({
    queryKey: ['messages', query.toString()],
    queryFn: () => api.get<Page<MessageSummary>>(`/v1/admin/messages?${query.toString()}`),
    placeholderData: keepPreviousData,
    refetchInterval: cursor ? false : 5_000,
  });
  const fieldErrors = errorsByField(page.error);

  function submit(event: FormEvent) {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const key of FILTERS) {
      const value = draft[key]?.trim();
      if (value) params.set(key, key === 'from' || key === 'to' ? toIso(value) : value);
    }
    setCursors([]);
    navigate(`/messages${params.size > 0 ? `?${params.toString()}` : ''}`);
  }

  const set = (key: keyof Filters) => (value: string) => setDraft((previous) => ({ ...previous, [key]: value }));
  return (
    <section>
      <h1>Messages</h1>
      <form className="filters card" onSubmit={submit} aria-label="Search messages">
        <label>
          Account
          <select value={draft.account ?? ''} onChange={(event) => set('account')(event.target.value)}>
            <option value="">all</option>
            {ids.map((id) => (
              <option key={id}>{id}</option>
            ))}
          </select>
        </label>
        <label>
          msgId
          <input value={draft.msgId ?? ''} onChange={(event) => set('msgId')(event.target.value)} placeholder="25596363|1639561857|20220227|1" />
        </label>
        <label>
          Phone
          <input value={draft.phone ?? ''} onChange={(event) => set('phone')(event.target.value)} placeholder="919999999999" />
        </label>
        <label>
          Campaign
          <input value={draft.campaign ?? ''} onChange={(event) => set('campaign')(event.target.value)} placeholder="1639561857" />
        </label>
        <label>
          State
          <select value={draft.state ?? ''} onChange={(event) => set('state')(event.target.value)}>
            <option value="">any</option>
            {MESSAGE_STATES.map((state) => (
              <option key={state}>{state}</option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="datetime-local" value={toLocalInput(draft.from)} onChange={(event) => set('from')(event.target.value)} />
          {fieldErrors['from'] ? <span className="field-error">{fieldErrors['from']}</span> : null}
        </label>
        <label>
          To
          <input type="datetime-local" value={toLocalInput(draft.to)} onChange={(event) => set('to')(event.target.value)} />
          {fieldErrors['to'] ? <span className="field-error">{fieldErrors['to']}</span> : null}
        </label>
        <div className="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      <ErrorNotice error={page.error} />
      {page.data?.data.length === 0 ? <p>No message matches.</p> : null}
      {page.data && page.data.data.length > 0 ? (
        <table className="table" data-testid="messages-table">
          <thead>
            <tr>
              <th>Accepted</th>
              <th>Account</th>
              <th>msgId</th>
              <th>To</th>
              <th>Content</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {page.data.data.map((message) => (
              <tr key={message.id} data-msgid={message.msgId}>
                <td>
                  <When at={message.acceptedAt} />
                </td>
                <td>{message.accountId}</td>
                <td>
                  <Link href={`/messages/${encodeURIComponent(message.id)}`}>{message.msgId}</Link>
                </td>
                <td>+{message.to}</td>
                <td>{message.template ?? message.contentKind}</td>
                <td>
                  <span className={`state state-${message.state}`}>{message.state}</span>
                  {message.failure ? (
                    <span className="bad" title={message.failure.detail}>
                      {' '}
                      {message.failure.metaCode ? `${message.failure.metaCode} ` : ''}
                      {message.failure.title}
                    </span>
                  ) : null}
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

/** `datetime-local` values are local times without a zone: sent as ISO 8601 with the zone. */
function toIso(value: string): string {
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? value : time.toISOString();
}

function toLocalInput(value: string | undefined): string {
  if (!value) return '';
  const time = new Date(value);
  if (Number.isNaN(time.getTime()) || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return value;
  const local = new Date(time.getTime() - time.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}
