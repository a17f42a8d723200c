/**
 * @module clevertap/parse-template
 * CleverTap template sends (spec §1.3) → the canonical {@link TemplateContent}. Only what Meta
 * needs survives: header media/params, body params, button params, the offer expiry and carousel
 * cards. Rendered texts and footers are dropped (they are fixed in the approved template), and
 * component types we do not know are ignored rather than forwarded.
 */
import type { CarouselCard, TemplateButton, TemplateContent, TemplateHeader } from '../domain/message.js';
import { normalizeLanguageCode } from './language.js';
import {
  arrayField,
  coordinates,
  describeValue,
  field,
  fieldKey,
  invalid,
  isObject,
  mediaObject,
  nonEmptyString,
  optionalText,
  scalarToString,
  textParameters,
  toNumber,
  type JsonObject,
} from './parse-fields.js';

/** Meta's own limit on template names (spec meta-cloud-api §templates: `^[a-z0-9_]+$`, ≤ 512). */
export const MAX_TEMPLATE_NAME_LENGTH = 512;
/**
 * Meta's codes are at most 6 characters (`es_419`); CleverTap's free spellings and per-tenant
 * override keys (`English (UK)`) are longer, so the bound is generous. The code is stored with
 * the message and quoted in answers.
 */
export const MAX_LANGUAGE_LENGTH = 64;

export function parseTemplate(message: JsonObject, languageOverrides?: Record<string, string>): TemplateContent {
  const template = field(message, 'template');
  if (template === undefined) invalid('template is missing');
  if (!isObject(template)) invalid(`template must be an object, got ${describeValue(template)}`);

  const namespace = field(template, 'namespace');
  if (namespace === undefined) invalid('template.namespace is missing');
  const name = nonEmptyString(namespace);
  if (name === undefined) invalid(`template.namespace must be a non-empty string, got ${describeValue(namespace)}`);
  // No template can have a longer name, and the name is stored and quoted in answers.
  if (name.trim().length > MAX_TEMPLATE_NAME_LENGTH) {
    invalid(`template.namespace is ${name.trim().length} characters long; Meta's template names have at most ${MAX_TEMPLATE_NAME_LENGTH}`);
  }

  const languageCode = field(template, 'languageCode', 'language');
  if (languageCode === undefined) invalid('template.languageCode is missing');
  const language = nonEmptyString(languageCode);
  if (language === undefined) {
    invalid(`template.languageCode must be a non-empty string, got ${describeValue(languageCode)}`);
  }
  if (language.trim().length > MAX_LANGUAGE_LENGTH) {
    invalid(`template.languageCode ${describeValue(language)} is ${language.trim().length} characters long; at most ${MAX_LANGUAGE_LENGTH} are accepted`);
  }

  const parts = parseComponents(arrayField(message, '', 'components'), 'components', 'message');
  const content: TemplateContent = {
    kind: 'template',
    name: name.trim(),
    language: normalizeLanguageCode(language, languageOverrides),
    bodyParams: parts.bodyParams,
    buttons: parts.buttons,
  };
  if (parts.header) content.header = parts.header;
  if (parts.limitedTimeOffer) content.limitedTimeOffer = parts.limitedTimeOffer;
  if (parts.carousel) content.carousel = parts.carousel;
  return content;
}

interface ComponentParts {
  header?: TemplateHeader;
  bodyParams: string[];
  buttons: TemplateButton[];
  limitedTimeOffer?: { expirationTimeMs?: number };
  carousel?: CarouselCard[];
}

/** A carousel card holds header, body and buttons only; offers and nested carousels are ignored there. */
type ComponentScope = 'message' | 'card';

function parseComponents(components: unknown[], path: string, scope: ComponentScope): ComponentParts {
  const parts: ComponentParts = { bodyParams: [], buttons: [] };
  const seen = new Map<string, string>();
  const once = (type: string, componentPath: string) => {
    const first = seen.get(type);
    if (first !== undefined) {
      invalid(`${componentPath} is a second ${type} component (the first is ${first}); a template has at most one`);
    }
    seen.set(type, componentPath);
  };

  components.forEach((component, i) => {
    const componentPath = `${path}[${i}]`;
    // Non-objects carry nothing we could send; like unknown types they are skipped.
    if (!isObject(component)) return;
    switch (componentType(component)) {
      case 'header':
        once('header', componentPath);
        parts.header = parseHeader(component, componentPath);
        return;
      case 'body':
        once('body', componentPath);
        parts.bodyParams = parseBody(component, componentPath);
        return;
      case 'button':
        // Buttons are indexed by order of appearance, zero-based, whatever `index` says: CleverTap's
        // samples use 0-based, 1-based and repeated indexes, while its component order follows the
        // template's button order — which is exactly Meta's index. Static buttons are kept so
        // they still occupy their position.
        parts.buttons.push(parseButton(component, componentPath, parts.buttons.length));
        return;
      case 'limitedtimeoffer':
        if (scope === 'card') return;
        once('limited_time_offer', componentPath);
        parts.limitedTimeOffer = parseLimitedTimeOffer(component, componentPath);
        return;
      case 'carousel':
        if (scope === 'card') return;
        once('carousel', componentPath);
        parts.carousel = parseCarousel(component, componentPath);
        return;
      default:
        // footer (static at Meta), customProps (read separately) and anything unknown.
        return;
    }
  });
  return parts;
}

/** The normalised component type; typeless components are recognised by their content key. */
function componentType(component: JsonObject): string | undefined {
  const type = field(component, 'type');
  if (typeof type === 'string') return fieldKey(type);
  if (type !== undefined) return undefined;
  if (isObject(field(component, 'header'))) return 'header';
  if (isObject(field(component, 'body'))) return 'body';
  return undefined;
}

const HEADER_TYPES = ['text', 'image', 'video', 'file', 'document', 'location', 'audio'] as const;

function parseHeader(component: JsonObject, path: string): TemplateHeader {
  const headerPath = `${path}.header`;
  const header = field(component, 'header');
  if (header === undefined) invalid(`${headerPath} is missing`);
  if (!isObject(header)) invalid(`${headerPath} must be an object, got ${describeValue(header)}`);

  const declared = field(header, 'type');
  if (declared !== undefined && typeof declared !== 'string') {
    invalid(`${headerPath}.type must be a string, got ${describeValue(declared)}`);
  }
  const type = declared !== undefined ? declared.trim().toLowerCase() : HEADER_TYPES.find((t) => field(header, t) !== undefined);
  if (type === undefined) invalid(`${headerPath}.type is missing`);

  switch (type) {
    case 'text': {
      const text = field(header, 'text');
      // A plain-string text is a header without variables.
      if (text === undefined || typeof text === 'string') return { type: 'text', params: [] };
      if (!isObject(text)) invalid(`${headerPath}.text must be an object, got ${describeValue(text)}`);
      return { type: 'text', params: textParameters(text, `${headerPath}.text`) };
    }
    case 'image':
    case 'video':
      return { type, media: mediaObject(header, headerPath, type).media };
    case 'file':
    case 'document': {
      // CleverTap says `file`; accept either key whichever type names it.
      const other = type === 'file' ? 'document' : 'file';
      const { media, details } = mediaObject(header, headerPath, type, other);
      const filename = optionalText(details, 'filename');
      return filename === undefined ? { type: 'document', media } : { type: 'document', media, filename };
    }
    case 'location': {
      const location = field(header, 'location');
      if (location === undefined) invalid(`${headerPath}.location is missing`);
      if (!isObject(location)) invalid(`${headerPath}.location must be an object, got ${describeValue(location)}`);
      const result: TemplateHeader = { type: 'location', ...coordinates(location, `${headerPath}.location`) };
      const name = optionalText(location, 'name');
      const address = optionalText(location, 'address');
      if (name !== undefined) result.name = name;
      if (address !== undefined) result.address = address;
      return result;
    }
    case 'audio':
      return invalid(`${headerPath}: audio headers are not supported by WhatsApp`);
    default:
      return invalid(
        `${headerPath}.type ${describeValue(declared)} is not supported; expected text, image, video, file, document or location`,
      );
  }
}

function parseBody(component: JsonObject, path: string): string[] {
  const body = field(component, 'body');
  if (isObject(body)) return textParameters(body, `${path}.body`);
  // Meta's own shape, `{type: "body", parameters: [...]}`, sent by senders that copy it.
  if (body === undefined) return textParameters(component, path);
  // Only the rendered text: a body without variables.
  if (typeof body === 'string') return [];
  return invalid(`${path}.body must be an object, got ${describeValue(body)}`);
}

const BUTTON_SUBTYPES = 'dynamicUrl, staticUrl, callPhone, quickReply or copy_code';

function parseButton(component: JsonObject, path: string, index: number): TemplateButton {
  const subType = field(component, 'subType');
  if (subType === undefined) invalid(`${path}.subType is missing`);
  if (typeof subType !== 'string') invalid(`${path}.subType must be a string, got ${describeValue(subType)}`);

  switch (fieldKey(subType)) {
    case 'dynamicurl':
      return { kind: 'url', index, value: dynamicUrlValue(component, path) };
    case 'staticurl':
      return { kind: 'static', index, subType: 'staticUrl' };
    case 'callphone':
      return { kind: 'static', index, subType: 'callPhone' };
    case 'quickreply': {
      const payload = quickReplyPayload(component, path);
      return payload === undefined ? { kind: 'quick_reply', index } : { kind: 'quick_reply', index, payload };
    }
    case 'copycode':
      return { kind: 'copy_code', index, couponCode: couponCode(component, path) };
    default:
      return invalid(`${path}.subType ${describeValue(subType)} is not a supported button type; expected ${BUTTON_SUBTYPES}`);
  }
}

/** The dynamic part of a URL button: a suffix, or a full URL that a later stage trims to the suffix. */
function dynamicUrlValue(component: JsonObject, path: string): string {
  const parameters = arrayField(component, path, 'parameters');
  const parameterPath = `${path}.parameters[0]`;
  const first = parameters[0];
  if (first === undefined) invalid(`${parameterPath}.text is missing`);
  const raw = isObject(first) ? field(first, 'text', 'url') : first;
  if (raw === undefined) invalid(`${parameterPath}.text is missing`);
  const value = scalarToString(raw);
  if (value === undefined) invalid(`${parameterPath}.text must be a string, got ${describeValue(raw)}`);
  if (value.trim() === '') invalid(`${parameterPath}.text is empty`);
  return value;
}

/**
 * The explicit echo payload of a quick reply (old spec: `{type:"payload", payload}`). Current
 * CleverTap sends none; the pipeline then synthesises one so replies can be correlated.
 */
function quickReplyPayload(component: JsonObject, path: string): string | undefined {
  const parameters = arrayField(component, path, 'parameters');
  for (const [i, parameter] of parameters.entries()) {
    if (!isObject(parameter)) continue;
    const raw = field(parameter, 'payload');
    if (raw === undefined) continue;
    const payload = scalarToString(raw);
    if (payload === undefined) invalid(`${path}.parameters[${i}].payload must be a string, got ${describeValue(raw)}`);
    if (payload.trim() !== '') return payload;
  }
  return undefined;
}

function couponCode(component: JsonObject, path: string): string {
  const parameters = arrayField(component, path, 'parameters');
  const candidates = parameters.map((parameter, i) => ({
    i,
    raw: isObject(parameter) ? field(parameter, 'coupon_code', 'text') : parameter,
  }));
  const found = candidates.find((candidate) => candidate.raw !== undefined);
  if (found === undefined) invalid(`${path}.parameters[0].coupon_code is missing`);
  const code = scalarToString(found.raw);
  if (code === undefined) {
    invalid(`${path}.parameters[${found.i}].coupon_code must be a string, got ${describeValue(found.raw)}`);
  }
  if (code.trim() === '') invalid(`${path}.parameters[${found.i}].coupon_code is empty`);
  return code;
}

function parseLimitedTimeOffer(component: JsonObject, path: string): { expirationTimeMs?: number } {
  const parameters = arrayField(component, path, 'parameters');
  for (const [i, parameter] of parameters.entries()) {
    const offer = isObject(parameter) ? field(parameter, 'limited_time_offer') : undefined;
    if (!isObject(offer)) continue;
    const raw = field(offer, 'expiration_time_ms');
    if (raw === undefined) return {};
    const expirationTimeMs = toNumber(raw);
    if (expirationTimeMs === undefined || !Number.isSafeInteger(expirationTimeMs) || expirationTimeMs < 0) {
      invalid(
        `${path}.parameters[${i}].limited_time_offer.expiration_time_ms ${describeValue(raw)} is not an epoch time in milliseconds`,
      );
    }
    return { expirationTimeMs };
  }
  // An offer without an expiry timer is valid (the timer is optional in CleverTap's editor).
  return {};
}

function parseCarousel(component: JsonObject, path: string): CarouselCard[] {
  const cards = field(component, 'cards');
  if (cards === undefined) invalid(`${path}.cards is missing`);
  if (!Array.isArray(cards)) invalid(`${path}.cards must be an array, got ${describeValue(cards)}`);
  if (cards.length === 0) invalid(`${path}.cards is empty`);
  return cards.map((card, i) => {
    const cardPath = `${path}.cards[${i}]`;
    if (!isObject(card)) invalid(`${cardPath} must be an object, got ${describeValue(card)}`);
    // Button indexes restart per card: Meta indexes buttons within each card.
    const parts = parseComponents(arrayField(card, cardPath, 'components'), `${cardPath}.components`, 'card');
    const result: CarouselCard = { bodyParams: parts.bodyParams, buttons: parts.buttons };
    if (parts.header) result.header = parts.header;
    return result;
  });
}
