/**
 * The admin token: asked for once per browser tab and kept in sessionStorage (gone when the tab
 * closes, never sent anywhere but the gateway's own admin API). The sandbox banner prints a link
 * ending in `#token=…`; the fragment never reaches the server, and it is taken out of the address
 * bar at once so it does not stay in the history or get shared with a screenshot.
 */
const STORAGE_KEY = 'wabridge.adminToken';

/** The token from `#token=` (saved, then removed from the URL) or the one saved earlier. */
export function initialToken(): string | undefined {
  const fromFragment = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromFragment !== null) {
    saveToken(fromFragment);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromFragment;
  }
  return window.sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

/** An empty token means "no token": a loopback caller when the gateway has no admin.token. */
export function saveToken(token: string): void {
  window.sessionStorage.setItem(STORAGE_KEY, token);
}

export function forgetToken(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}
