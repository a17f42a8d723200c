/**
 * Dashboard: for the messages accepted in a range — per account, per campaign, or all — the
 * funnel accepted → sent → delivered → read → replied / clicked and failed, failures by Meta's
 * error code with its title, the account's latest campaigns, and charts over time of accepted/s,
 * sends/s, the gateway's answer time and the callback lag (p50/p99). The gateway aggregates
 * (GET /v1/admin/dashboard): the page receives at most a few hundred buckets, never the
 * messages. It polls every few seconds while the tab is visible.
 */
import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { useAccountIds, useApi } from '../api/context.tsx';
import { ErrorNotice } from '../components/error-notice.tsx';
import { When } from '../components/time.tsx';
import { TimeChart, type ChartSeries } from './dashboard-chart.tsx';
import { FunnelBars } from './dashboard-funnel.tsx';
import type { DashboardAnswer, FunnelCounts } from './dashboard-types.ts';
import './dashboard.css';

const RANGES = [
  { label: 'Last 15 minutes', ms: 15 * 60_000 },
  { label: 'Last hour', ms: 3600_000 },
  { label: 'Last 6 hours', ms: 6 * 3600_000 },
  { label: 'Last 24 hours', ms: 24 * 3600_000 },
  { label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
] as const;

const POLL_MS = 5_000;

export function DashboardPage() {
  const api = useApi();
  const { ids } = useAccountIds();
  const [account, setAccount] = useState('');
  const [campaign, setCampaign] = useState('');
  const [rangeMs, setRangeMs] = useState<number>(3600_000);

  const query = new URLSearchParams();
  if (account) query.set('account', account);
  if (campaign) query.set('campaign', campaign);
  const dashboard = useQuery({
    queryKey: ['dashboard', query.toString(), rangeMs],
    queryFn: () => {
      const to = Date.now();
      const params = new URLSearchParams(query);
      params.set('from', String(to - rangeMs));
      params.set('to', String(to));
      return api.get<DashboardAnswer>(`/v1/admin/dashboard?${params.toString()}`);
    },
    placeholderData: keepPreviousData,
    // TanStack Query stops interval polling while the tab is hidden.
    refetchInterval: POLL_MS,
  });
  const data = dashboard.data;
  const campaigns = data?.campaigns ?? [];
  const campaignChoices = useMemo(() => [...new Set(campaigns.map((row) => row.campaign))], [campaigns]);

  return (
    <section className="dashboard">
      <div className="page-head">
        <h1>Dashboard</h1>
        <span className="muted small" aria-live="polite">
          {dashboard.isFetching ? 'updating…' : data ? `updated every ${POLL_MS / 1000} s` : ''}
        </span>
      </div>
      <div className="toolbar">
        <label className="inline">
          Account{' '}
          <select
            aria-label="Account"
            value={account}
            onChange={(event) => {
              setAccount(event.target.value);
              setCampaign('');
            }}
          >
            <option value="">all</option>
            {ids.map((id) => (
              <option key={id}>{id}</option>
            ))}
          </select>
        </label>
        <label className="inline">
          Campaign{' '}
          <select aria-label="Campaign" value={campaign} onChange={(event) => setCampaign(event.target.value)}>
            <option value="">all</option>
            {campaign && !campaignChoices.includes(campaign) ? <option>{campaign}</option> : null}
            {campaignChoices.map((id) => (
              <option key={id}>{id}</option>
            ))}
          </select>
        </label>
        <label className="inline">
          Range{' '}
          <select aria-label="Range" value={rangeMs} onChange={(event) => setRangeMs(Number(event.target.value))}>
            {RANGES.map((range) => (
              <option key={range.ms} value={range.ms}>
                {range.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNotice error={dashboard.error} />
      {data ? <DashboardBody data={data} account={account} /> : dashboard.isLoading ? <p className="muted">Loading…</p> : null}
    </section>
  );
}

function DashboardBody({ data, account }: { data: DashboardAnswer; account: string }) {
  const { series, range } = data;
  const perSecond = range.bucketMs / 1000;
  const x = useMemo(() => series.map((point) => point.at), [series]);
  const throughput = useMemo<ChartSeries[]>(
    () => [
      { label: 'accepted/s', color: '#0b7a5c', values: series.map((point) => point.accepted / perSecond) },
      { label: 'sent/s', color: '#1849a9', values: series.map((point) => point.sent / perSecond) },
    ],
    [series, perSecond],
  );
  const answers = useMemo<ChartSeries[]>(
    () => [
      { label: 'answer p50 (ms)', color: '#0b7a5c', values: series.map((point) => milliseconds(point.answerP50)), dots: true },
      { label: 'answer p99 (ms)', color: '#b54708', values: series.map((point) => milliseconds(point.answerP99)), dash: [6, 4], dots: true },
    ],
    [series],
  );
  const lag = useMemo<ChartSeries[]>(
    () => [
      { label: 'callback lag p50 (s)', color: '#1849a9', values: series.map((point) => point.callbackLagP50 ?? null), dots: true },
      { label: 'callback lag p99 (s)', color: '#b42318', values: series.map((point) => point.callbackLagP99 ?? null), dash: [6, 4], dots: true },
    ],
    [series],
  );
  return (
    <>
      <div className="dashboard-top">
        <div className="card">
          <h2>Funnel</h2>
          <p className="muted small">
            Messages accepted <When at={range.from} /> to now, each counted at the furthest it got.
          </p>
          <FunnelBars funnel={data.funnel} />
        </div>
        <div className="card">
          <h2>Failures by code</h2>
          {data.failures.length === 0 ? (
            <p className="muted">No message failed in this range.</p>
          ) : (
            <table className="table" data-testid="failures-table">
              <thead>
                <tr>
                  <th>Code</th>
                  <th>Meta's title</th>
                  <th>Reason</th>
                  <th className="number">Messages</th>
                </tr>
              </thead>
              <tbody>
                {data.failures.map((failure) => (
                  <tr key={`${failure.code}|${failure.reason}`}>
                    <td>
                      <code>{failure.code}</code>
                    </td>
                    <td>{failure.title}</td>
                    <td className="muted">{failure.reason}</td>
                    <td className="number">{failure.count.toLocaleString('en')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
      <div className="charts">
        <TimeChart title={`Throughput (per second, ${perSecond} s buckets)`} unit="per s" x={x} series={throughput} testId="chart-throughput" />
        <TimeChart title="Answer time to CleverTap (this process)" unit="ms" x={x} series={answers} testId="chart-answer" />
        <TimeChart title="Callback lag, owed to accepted by CleverTap (this process)" unit="s" x={x} series={lag} testId="chart-lag" />
      </div>
      <h2>Campaigns{account ? ` of ${account}` : ''}</h2>
      {data.campaigns.length === 0 ? (
        <p className="muted">No campaign message in this range.</p>
      ) : (
        <table className="table" data-testid="campaigns-table">
          <thead>
            <tr>
              <th>Campaign</th>
              <th>Account</th>
              <th>Latest message</th>
              <th className="number">Accepted</th>
              <th className="number">Sent</th>
              <th className="number">Delivered</th>
              <th className="number">Read</th>
              <th className="number">Failed</th>
            </tr>
          </thead>
          <tbody>
            {data.campaigns.map((row) => (
              <tr key={`${row.accountId}|${row.campaign}`}>
                <td>
                  <Link href={`/messages?campaign=${encodeURIComponent(row.campaign)}`}>{row.campaign}</Link>
                </td>
                <td>{row.accountId}</td>
                <td>
                  <When at={row.lastAcceptedAt} />
                </td>
                {(['accepted', 'sent', 'delivered', 'read', 'failed'] as const).map((key) => (
                  <td key={key} className="number">
                    {share(row.funnel, key)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function milliseconds(seconds: number | undefined): number | null {
  return seconds === undefined ? null : Math.round(seconds * 100_000) / 100;
}

function share(funnel: FunnelCounts, key: keyof FunnelCounts): string {
  const count = funnel[key].toLocaleString('en');
  if (key === 'accepted' || funnel.accepted === 0) return count;
  return `${count} (${Math.round((funnel[key] / funnel.accepted) * 100)}%)`;
}
