/**
 * @module config/accounts
 * Accounts as the running gateway uses them: numbers normalised, Graph settings complete.
 * In sandbox mode, an account without Graph credentials is wired to the built-in simulator;
 * in production mode the schema check has already demanded them.
 */
import { normalizePhone } from '../domain/phone.js';
import type { ClevertapAuth } from '../domain/account.js';
import type { AccountConfig, Config } from './schema.js';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com/v23.0';

export interface ResolvedAccount {
  id: string;
  wabaNumber: string;
  defaultCountryCode?: string;
  clevertap: {
    auth: ClevertapAuth;
    deliveryReportUrl?: string;
    inboundMessageUrl?: string;
    languageOverrides?: Record<string, string>;
    stopKeywords: string[];
    startKeywords: string[];
    /** Click tracking: on, and the base of the short links (when configured apart from the gateway's). */
    clickTracking: { enabled: boolean; baseUrl?: string };
    /** Callbacks may go to loopback/private addresses (always in sandbox mode). */
    allowPrivateTargets: boolean;
    /** Recipients of CleverTap's template-save probes: validated and answered, never sent. */
    probeNumbers: ReadonlySet<string>;
    /** Where and how to mark opted-out users in CleverTap (Upload API), when configured. */
    upload?: { url: string; accountId: string; passcode: string };
  };
  whatsapp: {
    graphBaseUrl: string;
    phoneNumberId: string;
    wabaId: string;
    accessToken: string;
    appSecret: string;
    webhookVerifyToken: string;
    messagesPerSecond: number;
    maxInFlight: number;
  };
  /** Wired to the built-in Meta simulator. */
  simulated: boolean;
}

/** What the sandbox supplies for accounts that have no Graph settings of their own. */
export interface SandboxWiring {
  graphBaseUrl: string;
  accessToken: string;
  appSecret: string;
  webhookVerifyToken: string;
  /** Phone number id and WABA id for the account at `index`. */
  idsFor(index: number): { phoneNumberId: string; wabaId: string };
}

export function resolveAccounts(config: Config, sandbox?: SandboxWiring): ResolvedAccount[] {
  return config.accounts.map((account, index) => resolveAccount(account, index, sandbox, config.mode === 'production'));
}

function resolveAccount(account: AccountConfig, index: number, sandbox: SandboxWiring | undefined, productionMode: boolean): ResolvedAccount {
  const whatsapp = account.whatsapp;
  const simulated = Boolean(sandbox) && !whatsapp.accessToken && !whatsapp.graphBaseUrl;
  const ids = sandbox?.idsFor(index);
  const pick = (own: string | undefined, fallback: string | undefined, key: string): string => {
    const value = own ?? (simulated ? fallback : undefined);
    if (!value) throw new Error(`accounts[${index}].whatsapp.${key} is required (account "${account.id}")`);
    return value;
  };
  const resolved: ResolvedAccount = {
    id: account.id,
    wabaNumber: normalizePhone(account.wabaNumber)!,
    clevertap: {
      auth: account.clevertap.auth as ClevertapAuth,
      stopKeywords: account.clevertap.stopKeywords,
      startKeywords: account.clevertap.startKeywords,
      allowPrivateTargets: account.clevertap.allowPrivateCallbackTargets || !productionMode,
      clickTracking: { ...account.clevertap.clickTracking },
      probeNumbers: new Set(account.clevertap.probeNumbers.map((number) => normalizePhone(number)!)),
    },
    whatsapp: {
      graphBaseUrl: whatsapp.graphBaseUrl ?? (simulated ? sandbox!.graphBaseUrl : DEFAULT_GRAPH_BASE_URL),
      phoneNumberId: pick(whatsapp.phoneNumberId, ids?.phoneNumberId, 'phoneNumberId'),
      wabaId: pick(whatsapp.wabaId, ids?.wabaId, 'wabaId'),
      accessToken: pick(whatsapp.accessToken, sandbox?.accessToken, 'accessToken'),
      appSecret: pick(whatsapp.appSecret, sandbox?.appSecret, 'appSecret'),
      webhookVerifyToken: pick(whatsapp.webhookVerifyToken, sandbox?.webhookVerifyToken, 'webhookVerifyToken'),
      messagesPerSecond: whatsapp.messagesPerSecond,
      maxInFlight: whatsapp.maxInFlight,
    },
    simulated,
  };
  if (account.defaultCountryCode) resolved.defaultCountryCode = account.defaultCountryCode;
  if (account.clevertap.deliveryReportUrl) resolved.clevertap.deliveryReportUrl = account.clevertap.deliveryReportUrl;
  if (account.clevertap.inboundMessageUrl) resolved.clevertap.inboundMessageUrl = account.clevertap.inboundMessageUrl;
  if (account.clevertap.languageOverrides) resolved.clevertap.languageOverrides = account.clevertap.languageOverrides;
  const { accountId, passcode, region, uploadApiUrl } = account.clevertap;
  if (accountId && passcode && (region || uploadApiUrl)) {
    resolved.clevertap.upload = { url: uploadApiUrl ?? `https://${region}.api.clevertap.com/1/upload`, accountId, passcode };
  }
  return resolved;
}

/**
 * The configured accounts and the lookups every part of the gateway needs: by the id in the
 * CleverTap endpoint, by the phone number id and WABA id Meta's webhooks name. Built once by
 * the composition root (compose/accounts.ts), so no module keeps its own index.
 */
export interface AccountDirectory {
  readonly all: readonly ResolvedAccount[];
  byId(accountId: string): ResolvedAccount | undefined;
  byPhoneNumberId(phoneNumberId: string): ResolvedAccount | undefined;
  /** Every account on the WABA (several numbers may share one); empty when none. */
  byWabaId(wabaId: string): readonly ResolvedAccount[];
  /** The account's Delivery Report Callback URL, if it has one. */
  deliveryReportUrl(accountId: string): string | undefined;
  /** Callbacks of this account may go to public addresses only; true for an account no longer configured. */
  callbackTargetsPublicOnly(accountId: string): boolean;
  /** The distinct app secrets: a webhook delivery is Meta's when one of them signed it. */
  readonly appSecrets: readonly string[];
  /** The distinct webhook verify tokens: Meta's handshake must present one of them. */
  readonly webhookVerifyTokens: readonly string[];
}
