/**
 * One account: the Connect CleverTap and Connect Meta panels first (what an operator comes for),
 * then its settings, editable unless the configuration file declares it.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useLocation } from 'wouter';
import { useAccount, useApi } from '../api/context.tsx';
import { ErrorNotice } from '../components/error-notice.tsx';
import { AccountForm } from './account-form.tsx';
import { ConnectClevertap, ConnectMeta } from './connect-panels.tsx';

export function AccountPage({ id }: { id: string }) {
  const account = useAccount(id);
  const api = useApi();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const remove = useMutation({
    mutationFn: () => api.send('DELETE', `/v1/admin/accounts/${encodeURIComponent(id)}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['accounts'] });
      navigate('/accounts');
    },
  });

  return (
    <section>
      <div className="page-head">
        <h1>
          <Link href="/accounts">Accounts</Link> / {id}
        </h1>
        {account.data && !account.data.readOnly ? (
          <button
            type="button"
            className="danger"
            onClick={() => {
              if (window.confirm(`Delete account ${id}? Its endpoint stops answering; sends already accepted still go out.`)) remove.mutate();
            }}
          >
            Delete account
          </button>
        ) : null}
      </div>
      <ErrorNotice error={account.error} />
      <ErrorNotice error={remove.error} what="Delete" />
      {account.data ? (
        <>
          <div className="panels">
            <ConnectClevertap key={`ct-${account.data.version ?? ''}`} account={account.data} />
            <ConnectMeta account={account.data} />
          </div>
          <h2>Settings</h2>
          <AccountForm key={account.data.version ?? account.data.updatedAt ?? 'form'} account={account.data} onSaved={() => undefined} />
        </>
      ) : null}
    </section>
  );
}
