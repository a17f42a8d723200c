/**
 * A new account; once saved, its page opens with the values to paste into CleverTap and Meta.
 */
import { Link, useLocation } from 'wouter';
import { AccountForm } from './account-form.tsx';

export function NewAccountPage() {
  const [, navigate] = useLocation();
  return (
    <section>
      <h1>
        <Link href="/accounts">Accounts</Link> / New account
      </h1>
      <AccountForm onSaved={(saved) => navigate(`/accounts/${encodeURIComponent(saved.id)}`)} />
    </section>
  );
}
