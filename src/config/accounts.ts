/**
 * @module config/accounts
 * Accounts as the running gateway uses them: numbers normalised, Graph settings complete.
 * In sandbox mode, an account without Graph credentials is wired to the built-in simulator;
 * in production mode the schema check has already demanded them.
 */
import { createHash } from 'node:crypto';
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
  /** Phone number id and WABA id for the config file's account at `index`. */
  idsFor(index: number): { phoneNumberId: string; wabaId: string };
  /**
   * Tells the simulator about a number it was not started with (an account created at runtime);
   * absent where there is no simulator to tell (a command-line tool).
   */
  registerNumber?(number: SimulatedNumber): void;
}

/** A number the built-in simulator serves. */
export interface SimulatedNumber {
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  messagesPerSecond: number;
}

export function resolveAccounts(config: Config, sandbox?: SandboxWiring): ResolvedAccount[] {
  return config.accounts.map((account, index) =>
    resolveAccount(account, { where: `accounts[${index}].`, ids: sandbox?.idsFor(index) }, sandbox, config.mode === 'production'),
  );
}

/**
 * An account stored through the admin API, resolved as the gateway runs it. Its simulator ids (in
 * sandbox mode) come from its id, not from a position: stored accounts have no stable order, and
 * every replica must wire the same account to the same ids.
 */
export function resolveStoredAccount(account: AccountConfig, mode: Config['mode'], sandbox?: SandboxWiring): ResolvedAccount {
  return resolveAccount(account, { where: '', ids: sandbox && storedAccountSandboxIds(account.id) }, sandbox, mode === 'production');
}

/**
 * The simulator's phone number id and WABA id for a stored account: 15 digits derived from its id
 * (starting with 3 and 4, apart from the config file's 1… and 2… ids of compose/sandbox.ts).
 */
export function storedAccountSandboxIds(accountId: string): { phoneNumberId: string; wabaId: string } {
  const digits = (BigInt('0x' + createHash('sha256').update(accountId).digest('hex').slice(0, 16)) % 10n ** 14n).toString().padStart(14, '0');
  return { phoneNumberId: `3${digits}`, wabaId: `4${digits}` };
}

function resolveAccount(
  account: AccountConfig,
  place: { where: string; ids: { phoneNumberId: string; wabaId: string } | undefined },
  sandbox: SandboxWiring | undefined,
  productionMode: boolean,
): ResolvedAccount {
  const whatsapp = account.whatsapp;
  const simulated = Boolean(sandbox) && !whatsapp.accessToken && !whatsapp.graphBaseUrl;
  const { ids } = place;
  const pick = (own: string | undefined, fallback: string | undefined, key: string): string => {
    const value = own ?? (simulated ? fallback : undefined);
    if (!value) throw new Error(`${place.where}whatsapp.${key} is required (account "${account.id}")`);
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
 * The accounts and the lookups every part of the gateway needs: by the id in the CleverTap
 * endpoint, by the phone number id and WABA id Meta's webhooks name. Built by the composition
 * root (compose/accounts.ts), so no module keeps its own index.
 *
 * Accounts change at runtime (accounts/live-directory.ts): a reader looks up what it needs when
 * it needs it, and a part that holds something per account (a client, a send lane) follows
 * `onChange`. A deleted account is gone from the lookups that take in work (`byId`, `all`,
 * `byPhoneNumberId`), and still answered by those that finish it (`forWork`, the callback
 * lookups, `appSecrets`): what it accepted is still sent, and what it owes is still reported.
 */
export interface AccountDirectory {
  /** The live accounts. */
  readonly all: readonly ResolvedAccount[];
  /** Deleted accounts `forWork` still answers (what they accepted may still be queued). */
  readonly deleted: readonly ResolvedAccount[];
  /** A live account. */
  byId(accountId: string): ResolvedAccount | undefined;
  /** A live account, or a deleted one with work left (sends accepted, callbacks owed, statuses to come). */
  forWork(accountId: string): ResolvedAccount | undefined;
  /** The live account on this number. */
  byPhoneNumberId(phoneNumberId: string): ResolvedAccount | undefined;
  /** The live account on this number, else a deleted one that was: Meta still reports on its sends. */
  forWorkByPhoneNumberId(phoneNumberId: string): ResolvedAccount | undefined;
  /** Every live account on the WABA (several numbers may share one); empty when none. */
  byWabaId(wabaId: string): readonly ResolvedAccount[];
  /** The account's Delivery Report Callback URL, if it has one (deleted accounts included). */
  deliveryReportUrl(accountId: string): string | undefined;
  /** Callbacks of this account may go to public addresses only; true for an account unknown here. */
  callbackTargetsPublicOnly(accountId: string): boolean;
  /** The distinct app secrets, deleted accounts' included: a webhook delivery is Meta's when one of them signed it. */
  readonly appSecrets: readonly string[];
  /** The distinct webhook verify tokens of live accounts: Meta's handshake must present one of them. */
  readonly webhookVerifyTokens: readonly string[];
  /** Calls `listener` after each change of the accounts; returns what stops it. */
  onChange(listener: AccountChangeListener): () => void;
}

/** What one change did: accounts that appeared, changed, or went away (deleted). */
export interface AccountChange {
  added: ResolvedAccount[];
  /** The accounts as they are now. */
  updated: ResolvedAccount[];
  /** The accounts as they were. */
  removed: ResolvedAccount[];
}

export type AccountChangeListener = (change: AccountChange) => void;
