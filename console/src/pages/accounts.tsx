/**
 * Accounts: every account the gateway runs, where it is declared (configuration file, read-only,
 * or the store), and how it is doing: last send, last webhook, callbacks owed, template sync.
 */
import { Link } from 'wouter';
import { ApiError } from '../api/client.ts';
import { useAccounts, useTemplateStatus } from '../api/context.tsx';
import type { AccountHealth, AccountView, TemplateSyncStatus } from '../api/types.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { When } from '../components/time.tsx';

export function AccountsPage() {
  const accounts = useAccounts();
  const status = useTemplateStatus();
  const syncById = new Map((status.data ?? []).map((entry) => [entry.accountId, entry]));
  const noAccountsApi = accounts.error instanceof ApiError && accounts.error.status === 404;

  return (
    <section>
      <div className="page-head">
        <h1>Accounts</h1>
        {noAccountsApi ? null : (
          <Link href="/accounts/new" className="button">
            New account
          </Link>
        )}
      </div>
      {noAccountsApi ? (
        <FallbackList status={status.data ?? []} />
      ) : (
        <>
          <ErrorNotice error={accounts.error} />
          {accounts.isLoading ? <p className="muted">Loading…</p> : null}
          {accounts.data?.length === 0 ? <p>No accounts yet. Create one to connect CleverTap to a WhatsApp number.</p> : null}
          {accounts.data && accounts.data.length > 0 ? (
            <table className="table" data-testid="accounts-table">
              <thead>
                <tr>
                  <th>Account</th>
                  <th>WhatsApp number</th>
                  <th>Declared in</th>
                  <th>Last send</th>
                  <th>Last webhook</th>
                  <th>Callbacks owed</th>
                  <th>Templates</th>
                </tr>
              </thead>
              <tbody>
                {accounts.data.map((account) => (
                  <AccountRow key={account.id} account={account} sync={syncById.get(account.id)} />
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      )}
    </section>
  );
}

function AccountRow({ account, sync }: { account: AccountView; sync: TemplateSyncStatus | undefined }) {
  return (
    <tr data-account={account.id}>
      <td>
        <Link href={`/accounts/${encodeURIComponent(account.id)}`}>{account.id}</Link>
      </td>
      <td>+{account.wabaNumber.replace(/^\+/, '')}</td>
      <td>
        {account.source === 'file' ? <span className="badge" title="Edit the configuration file to change it">file · read-only</span> : <span className="badge store">store</span>}
      </td>
      <td>
        <When at={account.health?.lastSendAt} empty="never" />
      </td>
      <td>
        <When at={account.health?.lastWebhookAt} empty="never" />
      </td>
      <td>{account.health?.callbacksOwed ?? <span className="muted">—</span>}</td>
      <td>
        <SyncState sync={sync} fallback={account.health?.templates} />
      </td>
    </tr>
  );
}

export function SyncState({ sync, fallback }: { sync: TemplateSyncStatus | undefined; fallback?: AccountHealth['templates'] | undefined }) {
  if (!sync) return fallback ? <HealthSyncState templates={fallback} /> : <span className="muted">—</span>;
  if (sync.syncing) return <span>syncing…</span>;
  if (sync.lastError) return <span className="bad" title={sync.lastError}>failed: {sync.lastError}</span>;
  if (sync.lastSuccessAt === undefined) return <span className="muted">not synced yet</span>;
  return (
    <span>
      {sync.templateCount} templates, synced <When at={sync.lastSuccessAt} />
    </span>
  );
}

/** The template sync as the account's health tells it (when the catalogue's status is not at hand). */
function HealthSyncState({ templates }: { templates: NonNullable<AccountHealth['templates']> }) {
  switch (templates.state) {
    case 'syncing':
      return <span>syncing…</span>;
    case 'failed':
    case 'rate-limited':
      return (
        <span className="bad" title={templates.error}>
          {templates.state === 'failed' ? 'failed' : 'rate limited'}
          {templates.error ? `: ${templates.error}` : ''}
        </span>
      );
    case 'synced':
      return (
        <span>
          synced <When at={templates.lastSyncAt} />
        </span>
      );
    default:
      return <span className="muted">not synced yet</span>;
  }
}

/** A gateway without the accounts API: the ids its template catalogue knows. */
function FallbackList({ status }: { status: TemplateSyncStatus[] }) {
  return (
    <>
      <div className="notice">This gateway does not serve the accounts API yet: accounts are read from its configuration file.</div>
      <table className="table" data-testid="accounts-table">
        <thead>
          <tr>
            <th>Account</th>
            <th>Templates</th>
          </tr>
        </thead>
        <tbody>
          {status.map((entry) => (
            <tr key={entry.accountId} data-account={entry.accountId}>
              <td>{entry.accountId}</td>
              <td>
                <SyncState sync={entry} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
