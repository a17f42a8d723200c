/**
 * Why a call failed, in the gateway's words. A refused token (401/403) says so and offers to
 * enter another one; other errors show the message and any field errors not shown elsewhere.
 */
import { ApiError } from '../api/client.ts';
import { useSignOut } from '../sign-out.ts';

export function ErrorNotice({ error, what }: { error: unknown; what?: string }) {
  const signOut = useSignOut();
  if (!error) return null;
  const prefix = what ? `${what}: ` : '';
  if (error instanceof ApiError && error.isAuth) {
    return (
      <div className="notice error" role="alert">
        <strong>{error.status === 401 ? 'The gateway refused the admin token.' : 'The gateway does not serve its admin API to this browser.'}</strong>{' '}
        {error.message}{' '}
        <button type="button" className="link" onClick={signOut}>
          Enter another token
        </button>
      </div>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="notice error" role="alert">
      {prefix}
      {message}
      {error instanceof ApiError && error.status > 0 ? ` (HTTP ${error.status})` : ''}
    </div>
  );
}
