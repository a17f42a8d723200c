/**
 * Asks for the admin token once per tab. Sandbox mode prints it in the start banner (and a link
 * with `#token=` that skips this form); production sets it with ADMIN_TOKEN. A gateway without
 * any admin token serves loopback callers only, hence the second button.
 */
import { useState } from 'react';

export function TokenGate({ onToken }: { onToken(token: string): void }) {
  const [token, setToken] = useState('');
  return (
    <div className="gate">
      <form
        className="card"
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <h1>wabridge console</h1>
        <p>
          The console uses the gateway's admin API. Enter the admin token: in sandbox mode the start banner prints it; in
          production it is <code>admin.token</code> (<code>ADMIN_TOKEN</code>). It is kept in this tab only.
        </p>
        <label className="field">
          <span>Admin token</span>
          <input name="token" type="password" autoComplete="off" autoFocus value={token} onChange={(event) => setToken(event.target.value)} />
        </label>
        <div className="actions">
          <button type="submit" disabled={!token.trim()}>
            Open the console
          </button>
          <button type="button" className="secondary" onClick={() => onToken('')}>
            Continue without a token
          </button>
        </div>
        <p className="hint">Without a token the gateway answers only browsers on its own machine, and only while it has no admin token set.</p>
      </form>
    </div>
  );
}
