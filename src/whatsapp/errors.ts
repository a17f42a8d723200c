/**
 * @module whatsapp/errors
 * THE mapping from Meta's error codes (meta-cloud-api.md §2.4) to the gateway's canonical
 * failure reasons and to how the send dispatcher may retry. `clevertap/dlr-codes.ts` maps the
 * reasons onto CleverTap's 1000–1010; `docs/error-mapping.md` is rendered from both tables.
 *
 * Classification is by Meta's `code` (plus, for a few generic codes, `error_subcode` and
 * `error_data.details`), never by HTTP status: Meta returns almost every error as HTTP 400.
 */
import type { FailureReason } from '../domain/failure.js';

/** How the send dispatcher may retry a rejected send; see {@link RETRY_CLASS_MEANINGS}. */
export type RetryClass = 'none' | 'backoff' | 'throughput' | 'recipient' | 'auth';

/** What each retry class asks of the send dispatcher (also rendered into the docs). */
export const RETRY_CLASS_MEANINGS: Readonly<Record<RetryClass, string>> = {
  none: 'Permanent for this message: report it failed, do not retry.',
  backoff: 'Transient on Meta’s side: retry with exponential backoff, a bounded number of times.',
  throughput: 'The sending number is over its messages per second: retry shortly and slow that number’s bucket down.',
  recipient: 'The pair limit for this one recipient: retry only this message after 4^X s; other recipients are unaffected.',
  auth: 'The account’s token is bad: fail the message as invalid_credentials and alert, since every send on the account fails the same way.',
};

export interface MetaErrorRule {
  /** Meta's title for the code, used when an error arrives without one. */
  title: string;
  reason: FailureReason;
  retry: RetryClass;
  /** One line: what it means and why it maps this way. */
  note: string;
}

function rule(title: string, reason: FailureReason, retry: RetryClass, note: string): MetaErrorRule {
  return { title, reason, retry, note };
}

/** Every code listed in meta-cloud-api.md §2.4, except the 200–299 range (see {@link META_ERROR_RANGES}). */
export const META_ERROR_RULES: ReadonlyMap<number, MetaErrorRule> = new Map<number, MetaErrorRule>([
  // Authentication and permissions: the account's configuration, not the message, is wrong.
  [0, rule('AuthException', 'invalid_credentials', 'auth', 'Cannot authenticate the app user; the token must be refreshed.')],
  [190, rule('Access token has expired', 'invalid_credentials', 'auth', 'Token expired or invalidated (subcodes 463/460/467); a new token is needed.')],
  [104, rule('An access token is required', 'invalid_credentials', 'auth', 'No token was sent; the account has no credentials configured.')],
  [3, rule('API Method', 'invalid_credentials', 'none', 'The app lacks the capability for this call: a permission problem in the account setup.')],
  [10, rule('Permission Denied', 'invalid_credentials', 'none', 'Permission not granted or removed for this app; fix the system-user permissions.')],
  [131005, rule('Access denied', 'invalid_credentials', 'none', 'The token may not send for this number; a permission problem in the account setup.')],

  // Throughput and rate limits.
  [4, rule('Application request limit reached', 'rate_limited', 'backoff', 'App-level Graph call limit; clears with time.')],
  [80007, rule('Rate limit issues', 'rate_limited', 'backoff', 'The WABA hit its Graph rate limit; clears with time.')],
  [130429, rule('Rate limit hit', 'rate_limited', 'throughput', 'Sending number over its messages-per-second; slow that number down and retry shortly.')],
  [131056, rule('(Business Account, Consumer Account) pair rate limit hit', 'rate_limited', 'recipient', 'More than ~1 message per 6 s to this user; retry only this recipient after 4^X s.')],
  [133016, rule('Account register or deregister rate limit exceeded', 'other', 'none', 'About registering the sending number, not about this message or recipient.')],

  // Meta refuses to carry the message for policy, quality or account-standing reasons.
  [131048, rule('Spam rate limit hit', 'blocked_by_meta', 'none', 'Number restricted after blocks/spam reports; pause the campaign, do not retry.')],
  [131064, rule('Messaging limit reached due to template classification violations', 'blocked_by_meta', 'none', 'Enforcement after misclassified templates; lifts after the enforcement period.')],
  [368, rule('Temporarily blocked for policies violations', 'blocked_by_meta', 'none', 'The WABA is restricted for policy violations.')],
  [131031, rule('Account has been locked', 'blocked_by_meta', 'none', 'Account locked for policy or verification reasons (e.g. wrong 2FA PIN).')],
  [130497, rule('Business account is restricted from messaging users in this country', 'blocked_by_meta', 'none', 'Meta forbids this business from messaging the recipient’s country.')],
  [131049, rule('Message not delivered to maintain healthy ecosystem engagement', 'blocked_by_meta', 'none', 'Meta’s per-user marketing limit; Meta withheld it, retry no sooner than 24 h.')],
  [131063, rule('Marketing messages disabled on Cloud API', 'blocked_by_meta', 'none', 'Meta does not allow marketing messages from this account on Cloud API.')],
  [130403, rule('Business blocked this user', 'blocked_by_meta', 'none', 'The recipient is on the business’s block list; Meta will not carry the message until unblocked.')],
  [130472, rule('User’s number is part of an experiment', 'blocked_by_meta', 'none', 'Meta withheld the marketing message as part of an experiment holdout.')],

  // The recipient.
  [131026, rule('Message Undeliverable', 'device_incapable', 'none', 'Not on WhatsApp, an old client, terms not accepted, or blocked the business: the device cannot receive it.')],
  [131047, rule('Re-engagement message', 'outside_window', 'none', 'Free-form message more than 24 h after the user’s last message; send a template.')],
  [131050, rule('User stopped marketing messages', 'blacklisted', 'none', 'The user opted out of this business’s marketing: a per-recipient suppression (1006), not a Meta policy block, and never retryable.')],
  [131030, rule('Recipient phone number not in allowed list', 'invalid_phone', 'none', 'Test numbers may only send to their ≤5 allowed recipients; this recipient is not one.')],
  [131021, rule('Recipient cannot be sender', 'invalid_phone', 'none', 'The recipient is the sending number itself.')],
  [131062, rule('Business-scoped user ID not allowed', 'invalid_phone', 'none', 'The recipient identifier form is not accepted for this send.')],

  // The request or template parameters.
  [100, rule('Invalid parameter', 'invalid_template', 'none', 'Unknown, misspelled or out-of-range parameter (phone-related details and subcode 33 are refined).')],
  [131008, rule('Required parameter is missing', 'invalid_template', 'none', 'A required parameter is missing (refined to invalid_phone when it is the recipient).')],
  [131009, rule('Parameter value is not valid', 'invalid_template', 'none', 'A parameter value is invalid, e.g. button count (refined to invalid_phone when it is the recipient).')],
  [131051, rule('Unsupported message type', 'other', 'none', 'Meta does not support this message type for this send.')],
  [131053, rule('Media upload error', 'invalid_template', 'none', 'Meta could not fetch or accept the media (bad link, MIME, size): the media parameter must be fixed.')],
  [132000, rule('Number of parameters does not match the expected number of params', 'invalid_template', 'none', 'Parameter count differs from the approved template.')],
  [132001, rule('Template name does not exist in the translation', 'invalid_template', 'none', 'Wrong template name or language, or the template is not approved.')],
  [132005, rule('Translated text too long', 'invalid_template', 'none', 'The template text with parameters filled in exceeds Meta’s length limit.')],
  [132007, rule('Template Format Character Policy Violated', 'invalid_template', 'none', 'Parameter content breaks the template format policy (e.g. newlines, too many spaces).')],
  [132012, rule('Parameter format does not match format in the created template', 'invalid_template', 'none', 'Parameter type differs from the template, e.g. a missing media header.')],
  [132015, rule('Template is Paused', 'invalid_template', 'none', 'Template paused for low quality; it must be edited before use.')],
  [132016, rule('Template is Disabled', 'invalid_template', 'none', 'Template disabled after repeated pauses; a new template is needed.')],
  [132018, rule('Template validation error', 'invalid_template', 'none', 'Meta’s component validation (v23+) rejected the template parameters.')],
  [132068, rule('Flow is in blocked state', 'invalid_template', 'none', 'The template’s flow is blocked; the template cannot be sent as is.')],
  [132069, rule('Flow is in throttled state', 'rate_limited', 'none', 'The template’s flow is throttled; sends resume once Meta lifts it.')],

  // The sending number or business account.
  [131042, rule('Business eligibility payment issue', 'other', 'none', 'Payment method or credit line problem; nothing succeeds until billing is fixed.')],
  [131037, rule('WhatsApp provided number needs display name approval before message can be sent', 'other', 'none', 'The sending number’s display name is not approved yet; not the recipient’s fault.')],
  [131045, rule('Incorrect certificate', 'other', 'none', 'The sending number is not properly registered; not the recipient’s fault.')],
  [133010, rule('Phone number Not Registered', 'other', 'none', 'The sending number is not registered on Cloud API; not the recipient’s fault.')],

  // Meta-side failures.
  [1, rule('API Unknown', 'other', 'backoff', 'Unknown Graph error; retry a bounded number of times, then report as other.')],
  [2, rule('API Service', 'temporarily_unavailable', 'backoff', 'Graph downtime or overload; retry with backoff.')],
  [131000, rule('Something went wrong', 'other', 'backoff', 'Unknown WhatsApp error; retry a bounded number of times, then report as other.')],
  [131016, rule('Service unavailable', 'temporarily_unavailable', 'backoff', 'WhatsApp service temporarily unavailable; retry with backoff.')],
  [131057, rule('Account in maintenance mode', 'temporarily_unavailable', 'backoff', 'Sending number in maintenance (e.g. throughput upgrade); retry after about a minute.')],

  // Inbound-only or generic.
  [131052, rule('Media download error', 'other', 'none', 'Inbound only: the user’s media could not be fetched; never a send failure.')],
  [135000, rule('Generic user error', 'other', 'none', 'Meta gives no specifics.')],
]);

/** Codes Meta documents as a range rather than one by one. */
export const META_ERROR_RANGES: readonly { first: number; last: number; rule: MetaErrorRule }[] = [
  {
    first: 200,
    last: 299,
    rule: rule('API Permission', 'invalid_credentials', 'none', 'A Graph permission is missing for this call; a permission problem in the account setup.'),
  },
];

/** The answer for any code not in the table. */
export const UNKNOWN_META_ERROR_RULE: MetaErrorRule = rule('Unknown error', 'other', 'none', 'A code this table does not know; reported as other and never retried.');

/** The rule for a Meta error code; unknown codes are `other` and never retried. */
export function metaErrorRule(code: number): MetaErrorRule {
  const exact = META_ERROR_RULES.get(code);
  if (exact) return exact;
  return META_ERROR_RANGES.find((range) => code >= range.first && code <= range.last)?.rule ?? UNKNOWN_META_ERROR_RULE;
}

/** What an error says about itself, from either the synchronous envelope or a webhook `errors[]` item. */
export interface MetaErrorFacts {
  code: number;
  subcode?: number;
  /** `error_data.details` */
  details?: string;
  /** `message` or `title` */
  message?: string;
}

export interface MetaErrorRefinement {
  codes: readonly number[];
  /** Human description of the condition, for the docs. */
  when: string;
  matches(facts: MetaErrorFacts): boolean;
  rule: MetaErrorRule;
}

/** Whether an error's text is about the recipient (`to`), as opposed to some other parameter. */
const ABOUT_RECIPIENT = /\bphone\b|\brecipient\b|\bwa_?id\b|\b(?:param(?:eter)?|field)\s+['"`]?to\b/i;

/**
 * Generic codes that mean different things depending on the detail. Checked before the code
 * table, first match wins.
 */
export const META_ERROR_REFINEMENTS: readonly MetaErrorRefinement[] = [
  {
    codes: [100],
    when: 'subcode 33',
    matches: (facts) => facts.subcode === 33,
    rule: rule('Unsupported post request', 'invalid_credentials', 'none', 'The phone-number-id does not exist or the token cannot use it: the account is misconfigured.'),
  },
  {
    codes: [100, 131008, 131009],
    when: 'details or message about the phone number / recipient',
    matches: (facts) => ABOUT_RECIPIENT.test(`${facts.details ?? ''} ${facts.message ?? ''}`),
    rule: rule('Invalid recipient', 'invalid_phone', 'none', 'The parameter Meta rejected is the recipient’s phone number.'),
  },
];

/** The rule for a concrete error, using subcode and details where the code alone is too generic. */
export function classifyMetaError(facts: MetaErrorFacts): MetaErrorRule {
  const refined = META_ERROR_REFINEMENTS.find((r) => r.codes.includes(facts.code) && r.matches(facts));
  return refined?.rule ?? metaErrorRule(facts.code);
}
