/**
 * The admin API client for the signed-in token, and the queries every page shares. Queries keep
 * their last answer while refetching, so polling pages do not flicker.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ApiError, type Api } from './client.ts';
import type { AccountView, StatsDocument, TemplateSyncStatus, TemplateView } from './types.ts';

const ApiContext = createContext<Api | undefined>(undefined);

export function ApiProvider({ api, children }: { api: Api; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}

export function useAccounts() {
  const api = useApi();
  return useQuery({
    queryKey: ['accounts'],
    queryFn: async () => (await api.get<{ data: AccountView[] }>('/v1/admin/accounts')).data,
  });
}

export function useAccount(id: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['accounts', id],
    enabled: id !== undefined,
    queryFn: () => api.get<AccountView>(`/v1/admin/accounts/${encodeURIComponent(id!)}`),
  });
}

export function useTemplateStatus() {
  const api = useApi();
  return useQuery({
    queryKey: ['template-status'],
    queryFn: () => api.get<TemplateSyncStatus[]>('/v1/admin/templates'),
    refetchInterval: 10_000,
  });
}

export function useTemplates(accountId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['templates', accountId],
    enabled: accountId !== undefined,
    queryFn: async () => (await api.get<{ data: TemplateView[] }>(`/v1/admin/templates/${encodeURIComponent(accountId!)}`)).data,
  });
}

export function useStats(refetchInterval = 5_000) {
  const api = useApi();
  return useQuery({ queryKey: ['stats'], queryFn: () => api.get<StatsDocument>('/v1/admin/stats'), refetchInterval });
}

/** The account ids the gateway runs: from the accounts API, else from the template catalogue. */
export function useAccountIds(): { ids: string[]; isLoading: boolean; error: unknown } {
  const accounts = useAccounts();
  const status = useTemplateStatus();
  const fallback = accounts.error instanceof ApiError && accounts.error.status === 404;
  if (accounts.data) return { ids: accounts.data.map((account) => account.id), isLoading: false, error: undefined };
  if (fallback && status.data) return { ids: status.data.map((entry) => entry.accountId), isLoading: false, error: undefined };
  return { ids: [], isLoading: accounts.isLoading || (fallback && status.isLoading), error: fallback ? status.error : accounts.error };
}
