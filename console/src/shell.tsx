/**
 * The console's frame: asks for the admin token once, then shows the navigation and the page the
 * address names.
 */
import { useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { createApi } from './api/client.ts';
import { ApiProvider } from './api/context.tsx';
import { forgetToken, initialToken, saveToken } from './token.ts';
import { SignOutContext } from './sign-out.ts';
import { TokenGate } from './components/token-gate.tsx';
import { AccountsPage } from './pages/accounts.tsx';
import { AccountPage } from './pages/account.tsx';
import { NewAccountPage } from './pages/new-account.tsx';
import { TemplatesPage } from './pages/templates.tsx';
import { SendTestPage } from './pages/send-test.tsx';
import { CallbacksPage } from './pages/callbacks.tsx';
import { MessagesPage } from './pages/messages.tsx';
import { MessagePage } from './pages/message.tsx';
import { InboundPage } from './pages/inbound.tsx';
import { DashboardPage } from './pages/dashboard.tsx';

/** The client routes; the server answers index.html for each (src/http/routes/console.ts). */
export const NAV = [
  { path: '/dashboard', label: 'Dashboard' },
  { path: '/accounts', label: 'Accounts' },
  { path: '/templates', label: 'Templates' },
  { path: '/send-test', label: 'Send test' },
  { path: '/messages', label: 'Messages' },
  { path: '/inbound', label: 'Inbound' },
  { path: '/callbacks', label: 'Callbacks' },
] as const;

export function Shell() {
  const [token, setToken] = useState<string | undefined>(() => initialToken());
  const queryClient = useQueryClient();
  const [location] = useLocation();
  const api = useMemo(() => (token === undefined ? undefined : createApi(token)), [token]);
  const signOut = useMemo(
    () => () => {
      forgetToken();
      queryClient.clear();
      setToken(undefined);
    },
    [queryClient],
  );

  if (api === undefined) {
    return (
      <TokenGate
        onToken={(given) => {
          saveToken(given);
          setToken(given);
        }}
      />
    );
  }
  return (
    <ApiProvider api={api}>
      <SignOutContext.Provider value={signOut}>
        <div className="layout">
          <header className="topbar">
            <span className="brand">wabridge</span>
            <nav aria-label="Main">
              {NAV.map((item) => (
                <Link key={item.path} href={item.path} className={location === item.path || location.startsWith(`${item.path}/`) ? 'active' : ''}>
                  {item.label}
                </Link>
              ))}
            </nav>
            <button type="button" className="link" onClick={signOut}>
              {token ? 'Change admin token' : 'Use an admin token'}
            </button>
          </header>
          <main>
            <Switch>
              <Route path="/">
                <Redirect to="/accounts" />
              </Route>
              <Route path="/accounts" component={AccountsPage} />
              <Route path="/accounts/new" component={NewAccountPage} />
              <Route path="/accounts/:id">{(params) => <AccountPage id={params.id} />}</Route>
              <Route path="/templates">{() => <TemplatesPage />}</Route>
              <Route path="/templates/:account">{(params) => <TemplatesPage account={params.account} />}</Route>
              <Route path="/send-test" component={SendTestPage} />
              <Route path="/messages" component={MessagesPage} />
              <Route path="/messages/:id">{(params) => <MessagePage id={params.id} />}</Route>
              <Route path="/inbound" component={InboundPage} />
              <Route path="/callbacks" component={CallbacksPage} />
              <Route path="/dashboard" component={DashboardPage} />
              <Route>
                <p>There is no such page. <Link href="/accounts">Accounts</Link></p>
              </Route>
            </Switch>
          </main>
        </div>
      </SignOutContext.Provider>
    </ApiProvider>
  );
}
