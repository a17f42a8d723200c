/**
 * @module pipeline/template-preflight
 * Checks a template send against the synced, approved definition before it is accepted, so a
 * send Meta would reject is answered with CleverTap's 2001 inside its 1-second window instead of
 * failing later as a DLR. It also repairs what CleverTap sends loosely and Meta wants exactly:
 * the locale (`en` vs `en_US`), whole URLs where Meta wants the dynamic suffix, and the names a
 * NAMED template's values go under.
 *
 * Runs on every send: lookups are Map hits, the content is copied (shallowly) only when
 * something is rewritten, and message strings are built only on failure.
 */
import { normalizeLanguageCode } from '../clevertap/language.js';
import type { CarouselCard, TemplateButton, TemplateContent, TemplateHeader } from '../domain/message.js';
import type {
  TemplateBodyDefinition,
  TemplateButtonDefinition,
  TemplateDefinition,
  TemplateHeaderDefinition,
} from '../domain/template.js';

/** Meta's limit on a copy-code button's coupon. */
export const MAX_COUPON_CODE_LENGTH = 15;

// ---------------------------------------------------------------- language resolution

/**
 * The locale, among those a template is approved in, that a send asking for `requested` means.
 *
 * 1. exact: `en_US` in [`en_US`] → `en_US`;
 * 2. same code once both sides are normalised: `en(UK)` / `en-gb` in [`en_GB`] → `en_GB`;
 * 3. a regional request falls back to the bare language: `en_US` in [`en`, `en_GB`] → `en`;
 * 4. a bare request takes the regional variant when it is the only one: `en` in [`en_US`] →
 *    `en_US`, but `en` in [`en_US`, `en_GB`] → undefined, because guessing could send the wrong text.
 *
 * A sibling region is never substituted (`en_US` in [`en_GB`] → undefined): it is a different text.
 */
export function resolveTemplateLanguage(requested: string, available: readonly string[]): string | undefined {
  if (available.includes(requested)) return requested;
  const wanted = normalizeLanguageCode(requested);
  for (const code of available) if (normalizeLanguageCode(code) === wanted) return code;

  const separator = wanted.indexOf('_');
  if (separator > 0) {
    const language = wanted.slice(0, separator);
    for (const code of available) if (normalizeLanguageCode(code) === language) return code;
    return undefined;
  }
  const regional = `${wanted}_`;
  let only: string | undefined;
  for (const code of available) {
    if (!normalizeLanguageCode(code).startsWith(regional)) continue;
    if (only !== undefined) return undefined;
    only = code;
  }
  return only;
}

// ---------------------------------------------------------------- index

export type TemplateLookup =
  | { definition: TemplateDefinition; urlButtonBases: Readonly<Record<number, string>> }
  | { missing: 'name' }
  | { missing: 'language'; available: string[] };

interface NameEntry {
  byLanguage: Map<string, { definition: TemplateDefinition; urlButtonBases: Readonly<Record<number, string>> }>;
  languages: string[];
}

/**
 * The synced templates of one WhatsApp account, by name and language. Immutable: a sync builds a
 * new index and swaps it in, so a send never sees a half-refreshed catalogue.
 */
export class TemplateIndex {
  private readonly byName = new Map<string, NameEntry>();
  private readonly byLowerName = new Map<string, NameEntry>();
  readonly size: number;

  constructor(definitions: readonly TemplateDefinition[]) {
    for (const definition of definitions) {
      let entry = this.byName.get(definition.name);
      if (!entry) {
        entry = { byLanguage: new Map(), languages: [] };
        this.byName.set(definition.name, entry);
        const lower = definition.name.toLowerCase();
        if (!this.byLowerName.has(lower)) this.byLowerName.set(lower, entry);
      }
      const existing = entry.byLanguage.get(definition.language);
      if (!existing) entry.languages.push(definition.language);
      // Meta forbids duplicates; if a listing still has one, the sendable copy is the one that counts.
      if (!existing || (existing.definition.status !== 'APPROVED' && definition.status === 'APPROVED')) {
        entry.byLanguage.set(definition.language, Object.freeze({ definition, urlButtonBases: urlButtonBasesOf(definition) }));
      }
    }
    this.size = definitions.length;
  }

  /**
   * Exact name first, then case-insensitively: CleverTap forwards names as the user typed them
   * (`Sample_Template`) while Meta stores lowercase ones.
   */
  find(name: string, language: string): TemplateLookup {
    const entry = this.byName.get(name) ?? this.byLowerName.get(name.toLowerCase());
    if (!entry) return { missing: 'name' };
    const exact = entry.byLanguage.get(language);
    if (exact) return exact;
    const resolved = resolveTemplateLanguage(language, entry.languages);
    const found = resolved === undefined ? undefined : entry.byLanguage.get(resolved);
    return found ?? { missing: 'language', available: [...entry.languages] };
  }
}

const NO_BASES: Readonly<Record<number, string>> = Object.freeze({});

/** Computed once per definition, shared (frozen) by every send of it. */
function urlButtonBasesOf(definition: TemplateDefinition): Readonly<Record<number, string>> {
  const bases: Record<number, string> = {};
  let any = false;
  for (const button of definition.buttons) {
    if (button.urlBase === undefined) continue;
    bases[button.index] = button.urlBase;
    any = true;
  }
  return any ? Object.freeze(bases) : NO_BASES;
}

// ---------------------------------------------------------------- preflight

/** Content as checked: NAMED templates carry the parameter names their values go under, in order. */

export type PreflightResult =
  | {
      ok: true;
      /** What to store and send: NAMED templates carry the parameter names their values go under. */
      content: TemplateContent;
      /** Base URL (without `{{1}}`) of each top-level dynamic URL button, by zero-based index. */
      urlButtonBases: Readonly<Record<number, string>>;
      /** Absent when templates have never been synced and nothing could be checked. */
      definition?: TemplateDefinition;
      unvalidated?: true;
    }
  | { ok: false; message: string };

export interface PreflightOptions {
  /**
   * The account tracks clicks: a whole URL that does not start with the button's base is a
   * destination for click tracking to replace with a short code, not a mistake.
   */
  clickTracking?: boolean;
}

/** What failure messages name; `card` is set while a carousel card is checked. */
interface Scope {
  name: string;
  language: string;
  card: number | undefined;
  clickTracking: boolean;
}

/**
 * Checks `content` against its approved template. Without an index (templates not synced yet)
 * the send passes unchanged and is marked `unvalidated`: Meta remains the judge.
 */
export function preflightTemplate(
  content: TemplateContent,
  index: TemplateIndex | undefined,
  options: PreflightOptions = {},
): PreflightResult {
  if (!index) return { ok: true, content, urlButtonBases: {}, unvalidated: true };

  const found = index.find(content.name, content.language);
  if ('missing' in found) {
    const what = `template "${content.name}" (${content.language}) does not exist`;
    return { ok: false, message: found.missing === 'name' ? what : `${what}; it exists in: ${found.available.join(', ')}` };
  }
  const { definition } = found;
  const scope: Scope = {
    name: content.name,
    language: definition.language,
    card: undefined,
    clickTracking: options.clickTracking === true,
  };
  if (definition.status !== 'APPROVED') return fail(`${where(scope)} is ${definition.status}`);

  const headerProblem = checkHeader(definition.header, content.header, scope);
  if (headerProblem) return fail(headerProblem);
  const bodyProblem = checkBody(definition.body, content.bodyParams, scope);
  if (bodyProblem) return fail(bodyProblem);

  let limitedTimeOffer = content.limitedTimeOffer;
  if (definition.limitedTimeOffer?.hasExpiration) {
    if (limitedTimeOffer?.expirationTimeMs === undefined) {
      return fail(`the limited-time offer of ${where(scope)} has an expiration and needs expirationTimeMs, got none`);
    }
  } else if (limitedTimeOffer?.expirationTimeMs !== undefined) {
    // Meta rejects a parameter the offer does not have; the timer is simply not shown.
    limitedTimeOffer = undefined;
  }

  const buttons = checkButtons(definition.buttons, content.buttons, scope);
  if (typeof buttons === 'string') return fail(buttons);
  const carousel = checkCarousel(definition.carousel, content.carousel, scope);
  if (typeof carousel === 'string') return fail(carousel);

  const named = definition.parameterFormat === 'named';
  const rewritten =
    definition.name !== content.name ||
    definition.language !== content.language ||
    buttons !== content.buttons ||
    carousel !== content.carousel ||
    limitedTimeOffer !== content.limitedTimeOffer ||
    named;
  if (!rewritten) return { ok: true, content, urlButtonBases: found.urlButtonBases, definition };

  const validated: TemplateContent = { ...content, name: definition.name, language: definition.language, buttons };
  if (carousel) validated.carousel = carousel;
  if (limitedTimeOffer) validated.limitedTimeOffer = limitedTimeOffer;
  else delete validated.limitedTimeOffer;
  if (named) {
    // Shared with the definition, never copied: neither side mutates them.
    if (definition.body.paramNames.length > 0) validated.bodyParamNames = definition.body.paramNames;
    if (definition.header && definition.header.paramNames.length > 0) validated.headerParamNames = definition.header.paramNames;
  }
  return { ok: true, content: validated, urlButtonBases: found.urlButtonBases, definition };
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

function where(scope: Scope): string {
  const template = `template "${scope.name}" (${scope.language})`;
  return scope.card === undefined ? template : `card ${scope.card} of ${template}`;
}

function takes(part: string, scope: Scope, expected: number, got: number): string {
  return `${part} of ${where(scope)} takes ${expected} parameter${expected === 1 ? '' : 's'}, got ${got}`;
}

// ---------------------------------------------------------------- header and body

function checkHeader(
  definition: TemplateHeaderDefinition | undefined,
  sent: TemplateHeader | undefined,
  scope: Scope,
): string | undefined {
  if (!definition) {
    if (!sent) return undefined;
    // A text header without values is what CleverTap sends for "no variables"; nothing goes to Meta.
    if (sent.type === 'text') return sent.params.length === 0 ? undefined : takes('header', scope, 0, sent.params.length);
    return `${where(scope)} has no header, got ${withArticle(sent.type)} header`;
  }
  if (definition.format === 'text') {
    if (sent && sent.type !== 'text') return `header of ${where(scope)} is text, got ${withArticle(sent.type)} header`;
    const got = sent ? sent.params.length : 0;
    return got === definition.paramNames.length ? undefined : takes('header', scope, definition.paramNames.length, got);
  }
  if (!sent) return `${where(scope)} requires ${withArticle(definition.format)} header, got none`;
  if (sent.type !== definition.format) {
    return `header of ${where(scope)} must be ${withArticle(definition.format)}, got ${withArticle(sent.type)}`;
  }
  return undefined;
}

function checkBody(definition: TemplateBodyDefinition, params: readonly string[], scope: Scope): string | undefined {
  const expected = definition.paramNames.length;
  return params.length === expected ? undefined : takes('body', scope, expected, params.length);
}

// ---------------------------------------------------------------- buttons

/** Whole URLs have a scheme; suffixes (`cart`, `wa/5xu5auQ`, `?a=https://x`) do not start with one. */
const URL_WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Returns the buttons to send (the same array when nothing was rewritten) or a failure message.
 * `sent[i].index` is the position in the template's BUTTONS list (see `TemplateButton`).
 */
function checkButtons(
  definitions: readonly TemplateButtonDefinition[],
  sent: TemplateButton[],
  scope: Scope,
): TemplateButton[] | string {
  let result = sent;
  let seen = 0;
  for (let i = 0; i < sent.length; i++) {
    const button = sent[i] as TemplateButton;
    const definition = definitions[button.index];
    if (!definition) {
      const count = definitions.length;
      return `${where(scope)} has ${count} button${count === 1 ? '' : 's'}, got a ${describeSent(button)} button at position ${button.index + 1}`;
    }
    const bit = 1 << button.index; // at most 10 buttons, so a bit set is enough
    if (seen & bit) return `${buttonLabel(definition, scope)} is given twice`;
    seen |= bit;

    const checked = checkButton(definition, button, scope);
    if (typeof checked === 'string') return checked;
    if (checked !== button) {
      if (result === sent) result = sent.slice();
      result[i] = checked;
    }
  }
  for (const definition of definitions) {
    if (seen & (1 << definition.index)) continue;
    if (needsParameter(definition)) return `${buttonLabel(definition, scope)} takes 1 parameter, got none`;
  }
  return result;
}

function needsParameter(definition: TemplateButtonDefinition): boolean {
  return definition.dynamic === true || definition.type === 'copy_code' || definition.type === 'otp';
}

/** The button to send, possibly rewritten, or a failure message. */
function checkButton(definition: TemplateButtonDefinition, button: TemplateButton, scope: Scope): TemplateButton | string {
  switch (definition.type) {
    case 'url':
      if (definition.dynamic) return button.kind === 'url' ? dynamicUrl(definition, button, scope) : mismatch(definition, button, scope);
      return staticUrl(definition, button, scope);
    case 'quick_reply':
      return button.kind === 'quick_reply' ? button : mismatch(definition, button, scope);
    case 'copy_code':
      if (button.kind !== 'copy_code') return mismatch(definition, button, scope);
      return button.couponCode.length <= MAX_COUPON_CODE_LENGTH
        ? button
        : `the coupon code of ${buttonLabel(definition, scope)} has ${button.couponCode.length} characters, at most ${MAX_COUPON_CODE_LENGTH} are allowed`;
    case 'otp':
      return button.kind === 'url' ? button : mismatch(definition, button, scope);
    default:
      // Phone, flow, catalog and unknown buttons take nothing we could send; only a placeholder fits.
      return button.kind === 'static' ? button : mismatch(definition, button, scope);
  }
}

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** A whole URL becomes the suffix after the template's base, which is all Meta accepts. */
function dynamicUrl(
  definition: TemplateButtonDefinition,
  button: Extract<TemplateButton, { kind: 'url' }>,
  scope: Scope,
): TemplateButton | string {
  const value = button.value;
  // No URL holds a control character; one in a parameter would break the link the user taps.
  if (CONTROL_CHARACTER.test(value)) return `the URL parameter for ${buttonLabel(definition, scope)} contains a control character (e.g. a line break)`;
  if (!URL_WITH_SCHEME.test(value)) return button;
  const base = definition.urlBase ?? '';
  if (value.startsWith(base)) {
    if (value.length === base.length) return `the URL for ${buttonLabel(definition, scope)} is only its base "${base}", with no suffix`;
    return { kind: 'url', index: button.index, value: value.slice(base.length) };
  }
  if (scope.clickTracking) return button;
  return `the URL "${value}" for ${buttonLabel(definition, scope)} does not start with the template's base URL "${base}"`;
}

/**
 * A static URL takes no parameter at Meta. CleverTap may still send it as `dynamicUrl` with the
 * template's own URL (e.g. for provider click tracking); that is harmless and dropped.
 */
function staticUrl(definition: TemplateButtonDefinition, button: TemplateButton, scope: Scope): TemplateButton | string {
  if (button.kind === 'static') return button;
  if (button.kind === 'url' && sameUrl(button.value, definition.url ?? '')) {
    return { kind: 'static', index: button.index, subType: 'staticUrl' };
  }
  if (button.kind === 'url') {
    return `${buttonLabel(definition, scope)} is a static URL (${definition.url ?? ''}) and takes no parameter, got "${button.value}"`;
  }
  return mismatch(definition, button, scope);
}

/** Equal up to a trailing slash, which templates and CleverTap spell inconsistently. */
function sameUrl(a: string, b: string): boolean {
  if (a === b) return true;
  return (a.endsWith('/') ? a.slice(0, -1) : a) === (b.endsWith('/') ? b.slice(0, -1) : b);
}

function mismatch(definition: TemplateButtonDefinition, button: TemplateButton, scope: Scope): string {
  return `${buttonLabel(definition, scope)} is ${withArticle(describeDefinition(definition))} button, got ${withArticle(describeSent(button))}`;
}

function buttonLabel(definition: TemplateButtonDefinition, scope: Scope): string {
  const text = definition.text === '' ? '' : ` ("${definition.text}")`;
  return `button ${definition.index + 1}${text} of ${where(scope)}`;
}

function describeDefinition(definition: TemplateButtonDefinition): string {
  switch (definition.type) {
    case 'url':
      return definition.dynamic ? 'dynamic URL' : 'static URL';
    case 'quick_reply':
      return 'quick-reply';
    case 'phone_number':
      return 'phone-number';
    case 'copy_code':
      return 'copy-code';
    case 'otp':
      return 'one-time-password';
    default:
      return definition.type;
  }
}

function describeSent(button: TemplateButton): string {
  switch (button.kind) {
    case 'url':
      return 'dynamic URL';
    case 'quick_reply':
      return 'quick reply';
    case 'copy_code':
      return 'copy code';
    case 'static':
      return button.subType === 'callPhone' ? 'call-phone' : button.subType === 'staticUrl' ? 'static URL' : button.subType;
  }
}

const VOWEL_SOUND = /^[aei]|^o(?!ne)|^u(?!ni)/i;

function withArticle(noun: string): string {
  return VOWEL_SOUND.test(noun) ? `an ${noun}` : `a ${noun}`;
}

// ---------------------------------------------------------------- carousel

function checkCarousel(
  definitions: TemplateDefinition['carousel'],
  sent: CarouselCard[] | undefined,
  scope: Scope,
): CarouselCard[] | undefined | string {
  const got = sent?.length ?? 0;
  if (!definitions) return got === 0 ? sent : `${where(scope)} is not a carousel, got ${got} card${got === 1 ? '' : 's'}`;
  if (got !== definitions.length) {
    return `the carousel of ${where(scope)} has ${definitions.length} card${definitions.length === 1 ? '' : 's'}, got ${got}`;
  }
  let result = sent as CarouselCard[];
  for (let i = 0; i < result.length; i++) {
    const card = result[i] as CarouselCard;
    const definition = definitions[i] as (typeof definitions)[number];
    scope.card = i + 1;
    const problem = checkHeader(definition.header, card.header, scope) ?? checkBody(definition.body, card.bodyParams, scope);
    if (problem) return problem;
    const buttons = checkButtons(definition.buttons, card.buttons, scope);
    if (typeof buttons === 'string') return buttons;
    if (buttons !== card.buttons) {
      if (result === sent) result = sent.slice();
      result[i] = { ...card, buttons };
    }
  }
  scope.card = undefined;
  return result;
}
