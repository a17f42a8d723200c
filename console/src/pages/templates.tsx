/**
 * Templates per account, as last synced from WhatsApp: name, language, category, status and a
 * WhatsApp-style preview; the sync state, and a Sync button that reads Meta now.
 */
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { ApiError } from '../api/client.ts';
import { useAccountIds, useApi, useTemplateStatus, useTemplates } from '../api/context.tsx';
import type { TemplateView } from '../api/types.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { WhatsAppBubble } from '../components/whatsapp-bubble.tsx';
import { When } from '../components/time.tsx';
import { SyncState } from './accounts.tsx';

export function TemplatesPage({ account }: { account?: string }) {
  const { ids, error: idsError } = useAccountIds();
  const [, navigate] = useLocation();
  const accountId = account ?? ids[0];
  return (
    <section>
      <div className="page-head">
        <h1>Templates</h1>
        <label className="inline">
          Account{' '}
          <select value={accountId ?? ''} onChange={(event) => navigate(`/templates/${encodeURIComponent(event.target.value)}`)} aria-label="Account">
            {ids.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNotice error={idsError} />
      {accountId ? <AccountTemplates key={accountId} accountId={accountId} /> : null}
    </section>
  );
}

function AccountTemplates({ accountId }: { accountId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const status = useTemplateStatus();
  const templates = useTemplates(accountId);
  const [filter, setFilter] = useState('');
  const sync = useMutation({
    mutationFn: () => api.send<{ results: { ok: boolean; error?: string; templates?: number }[] }>('POST', `/v1/admin/templates/sync?account=${encodeURIComponent(accountId)}`),
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['templates', accountId] }), queryClient.invalidateQueries({ queryKey: ['template-status'] })]),
  });
  const syncState = status.data?.find((entry) => entry.accountId === accountId);
  const shown = (templates.data ?? []).filter((template) => matches(template, filter));
  const listMissing = templates.error instanceof ApiError && templates.error.status === 404;

  return (
    <>
      <div className="toolbar">
        <span data-testid="sync-state">
          <SyncState sync={syncState} />
        </span>
        {syncState?.nextSyncAt ? (
          <span className="muted">
            next sync <When at={syncState.nextSyncAt} />
          </span>
        ) : null}
        <button type="button" onClick={() => sync.mutate()} disabled={sync.isPending}>
          {sync.isPending ? 'Syncing…' : 'Sync now'}
        </button>
        <input type="search" placeholder="Filter by name, status, category" aria-label="Filter templates" value={filter} onChange={(event) => setFilter(event.target.value)} />
      </div>
      {sync.isSuccess ? <div className="notice ok">Synced: {sync.data.results.map((result) => `${result.templates ?? 0} templates`).join(', ')}.</div> : null}
      <ErrorNotice error={sync.error} what="Sync" />
      {listMissing ? (
        <div className="notice">This gateway does not list templates through its admin API yet (GET /v1/admin/templates/{'{account}'}).</div>
      ) : (
        <ErrorNotice error={templates.error} />
      )}
      {templates.data?.length === 0 ? <p>No templates synced for {accountId} yet.</p> : null}
      <div className="template-grid" data-testid="templates">
        {shown.map((template) => (
          <article key={`${template.id}-${template.language}`} className="card template" data-template={template.name}>
            <header>
              <h3>{template.name}</h3>
              <span className={`status status-${template.status.toLowerCase()}`}>{template.status}</span>
            </header>
            <p className="muted">
              {template.language} · {template.category}
              {template.parameter_format ? ` · ${template.parameter_format.toLowerCase()} parameters` : ''}
            </p>
            <WhatsAppBubble components={template.components} />
          </article>
        ))}
      </div>
    </>
  );
}

function matches(template: TemplateView, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (!needle) return true;
  return [template.name, template.status, template.category, template.language].some((value) => value.toLowerCase().includes(needle));
}
