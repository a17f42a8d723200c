/**
 * @module compose/accounts
 * The account directory (config/accounts.ts describes it): the resolved accounts indexed once,
 * here, instead of a map in every module that needs a lookup.
 */
import type { AccountDirectory, ResolvedAccount } from '../config/accounts.js';

export type { AccountDirectory };

export function createAccountDirectory(accounts: readonly ResolvedAccount[]): AccountDirectory {
  const byId = new Map(accounts.map((account) => [account.id, account]));
  const byPhoneNumberId = new Map(accounts.map((account) => [account.whatsapp.phoneNumberId, account]));
  const byWabaId = new Map<string, ResolvedAccount[]>();
  for (const account of accounts) byWabaId.set(account.whatsapp.wabaId, [...(byWabaId.get(account.whatsapp.wabaId) ?? []), account]);
  const none: readonly ResolvedAccount[] = [];
  return {
    all: accounts,
    byId: (accountId) => byId.get(accountId),
    byPhoneNumberId: (phoneNumberId) => byPhoneNumberId.get(phoneNumberId),
    byWabaId: (wabaId) => byWabaId.get(wabaId) ?? none,
    deliveryReportUrl: (accountId) => byId.get(accountId)?.clevertap.deliveryReportUrl,
    callbackTargetsPublicOnly: (accountId) => !byId.get(accountId)?.clevertap.allowPrivateTargets,
    appSecrets: [...new Set(accounts.map((account) => account.whatsapp.appSecret))],
    webhookVerifyTokens: [...new Set(accounts.map((account) => account.whatsapp.webhookVerifyToken))],
  };
}
