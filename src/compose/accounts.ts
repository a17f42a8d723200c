/**
 * @module compose/accounts
 * The account directory (config/accounts.ts describes it): the resolved accounts indexed once,
 * here, instead of a map in every module that needs a lookup. The gateway's directory is the
 * account registry's (accounts/account-registry.ts), which follows the store at runtime; a tool
 * that only reads the configuration gets one that never changes.
 */
import { LiveAccountDirectory } from '../accounts/live-directory.js';
import type { AccountDirectory, ResolvedAccount } from '../config/accounts.js';

export type { AccountDirectory };

export function createAccountDirectory(accounts: readonly ResolvedAccount[]): AccountDirectory {
  return new LiveAccountDirectory(accounts);
}
