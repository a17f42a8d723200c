/**
 * @module whatsapp/template-definitions
 * Meta's template listing (`GET /{WABA_ID}/message_templates`, meta-cloud-api.md §5) → canonical
 * {@link TemplateDefinition}s. Parameter counts come from the placeholders in the texts, not from
 * `example`, because examples are optional and the text is what Meta validates sends against.
 * Runs once per sync, never per send, so clarity wins over speed here.
 */
import type {
  TemplateBodyDefinition,
  TemplateButtonDefinition,
  TemplateButtonType,
  TemplateCardDefinition,
  TemplateDefinition,
  TemplateHeaderDefinition,
  TemplateHeaderFormat,
  TemplateParameterFormat,
} from '../domain/template.js';

type Json = Record<string, unknown>;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const POSITIONAL_NAME = /^\d+$/;

const HEADER_FORMATS: Readonly<Record<string, TemplateHeaderFormat>> = {
  TEXT: 'text',
  IMAGE: 'image',
  VIDEO: 'video',
  DOCUMENT: 'document',
  LOCATION: 'location',
};

const BUTTON_TYPES: Readonly<Record<string, TemplateButtonType>> = {
  URL: 'url',
  QUICK_REPLY: 'quick_reply',
  PHONE_NUMBER: 'phone_number',
  COPY_CODE: 'copy_code',
  OTP: 'otp',
  FLOW: 'flow',
  CATALOG: 'catalog',
  MPM: 'mpm',
};

/** Thrown inside this module only; callers get `{ error }`. */
class DefinitionError extends Error {}

/**
 * One item of Meta's `message_templates` listing. A template the gateway cannot understand is
 * an `{ error }` naming it, so a sync can report it and still keep every other template.
 */
export function parseTemplateDefinition(graphJson: unknown): TemplateDefinition | { error: string } {
  if (!isJson(graphJson)) return { error: `template definition must be an object, got ${describe(graphJson)}` };
  const name = graphJson['name'];
  const language = graphJson['language'];
  if (typeof name !== 'string' || name === '') return { error: 'template definition has no name' };
  if (typeof language !== 'string' || language === '') return { error: `template "${name}" has no language` };
  try {
    return parseNamed(graphJson, name, language);
  } catch (error) {
    if (error instanceof DefinitionError) return { error: `template "${name}" (${language}): ${error.message}` };
    throw error;
  }
}

function parseNamed(json: Json, name: string, language: string): TemplateDefinition {
  const id = json['id'];
  if (typeof id !== 'string' && typeof id !== 'number') throw new DefinitionError('has no id');
  const status = json['status'];
  // Without a status the gateway cannot tell an approved template from a rejected one.
  if (typeof status !== 'string' || status === '') throw new DefinitionError('has no status');
  const category = json['category'];
  const components = json['components'] ?? [];
  if (!Array.isArray(components)) throw new DefinitionError('components must be an array');

  const parameterFormat = parameterFormatOf(json['parameter_format'], components);
  const parts = parseComponents(components, parameterFormat, 'components', true);
  const definition: TemplateDefinition = {
    id: String(id),
    name,
    language,
    status: status.toUpperCase(),
    category: typeof category === 'string' ? category.toUpperCase() : '',
    parameterFormat,
    body: parts.body,
    buttons: parts.buttons,
    raw: json,
  };
  if (parts.header) definition.header = parts.header;
  if (parts.limitedTimeOffer) definition.limitedTimeOffer = parts.limitedTimeOffer;
  if (parts.carousel) definition.carousel = parts.carousel;
  return definition;
}

/**
 * `parameter_format` is only present when the listing asked for it. When absent, Meta's default
 * is POSITIONAL — unless the texts use names, which only a NAMED template can.
 */
function parameterFormatOf(declared: unknown, components: readonly unknown[]): TemplateParameterFormat {
  if (typeof declared === 'string') {
    const upper = declared.toUpperCase();
    if (upper === 'NAMED') return 'named';
    if (upper === 'POSITIONAL') return 'positional';
    throw new DefinitionError(`parameter_format "${declared}" is neither POSITIONAL nor NAMED`);
  }
  if (declared !== undefined) throw new DefinitionError(`parameter_format must be a string, got ${describe(declared)}`);
  const texts: string[] = [];
  collectTexts(components, texts);
  const names = texts.flatMap(placeholderNames);
  return names.length > 0 && names.every((n) => !POSITIONAL_NAME.test(n)) ? 'named' : 'positional';
}

function collectTexts(components: readonly unknown[], into: string[]): void {
  for (const component of components) {
    if (!isJson(component)) continue;
    if (typeof component['text'] === 'string') into.push(component['text']);
    const cards = component['cards'];
    if (!Array.isArray(cards)) continue;
    for (const card of cards) {
      if (isJson(card) && Array.isArray(card['components'])) collectTexts(card['components'], into);
    }
  }
}

interface Parts {
  header?: TemplateHeaderDefinition;
  body: TemplateBodyDefinition;
  buttons: TemplateButtonDefinition[];
  limitedTimeOffer?: { hasExpiration: boolean };
  carousel?: TemplateCardDefinition[];
}

function parseComponents(
  components: readonly unknown[],
  format: TemplateParameterFormat,
  path: string,
  topLevel: boolean,
): Parts {
  const parts: Parts = { body: { paramNames: [] }, buttons: [] };
  components.forEach((component, i) => {
    const at = `${path}[${i}]`;
    if (!isJson(component)) throw new DefinitionError(`${at} must be an object, got ${describe(component)}`);
    const type = typeof component['type'] === 'string' ? component['type'].toUpperCase() : undefined;
    switch (type) {
      case 'HEADER':
        parts.header = parseHeader(component, format, at);
        return;
      case 'BODY':
        parts.body = { paramNames: paramNames(component['text'], format, `${at}.text`) };
        return;
      case 'BUTTONS':
        parts.buttons = parseButtons(component['buttons'], format, `${at}.buttons`);
        return;
      case 'LIMITED_TIME_OFFER':
        if (!topLevel) return;
        parts.limitedTimeOffer = parseLimitedTimeOffer(component);
        return;
      case 'CAROUSEL':
        if (!topLevel) return;
        parts.carousel = parseCarousel(component, format, at);
        return;
      default:
        // FOOTER is static; anything new from Meta must not break the sync of the rest.
        return;
    }
  });
  return parts;
}

function parseHeader(component: Json, format: TemplateParameterFormat, path: string): TemplateHeaderDefinition {
  const declared = component['format'] ?? 'TEXT';
  const headerFormat = typeof declared === 'string' ? HEADER_FORMATS[declared.toUpperCase()] : undefined;
  if (headerFormat === undefined) throw new DefinitionError(`${path}.format ${describe(declared)} is not a known header format`);
  return {
    format: headerFormat,
    paramNames: headerFormat === 'text' ? paramNames(component['text'], format, `${path}.text`) : [],
  };
}

function parseButtons(buttons: unknown, format: TemplateParameterFormat, path: string): TemplateButtonDefinition[] {
  if (buttons === undefined) return [];
  if (!Array.isArray(buttons)) throw new DefinitionError(`${path} must be an array, got ${describe(buttons)}`);
  return buttons.map((button, index) => {
    const at = `${path}[${index}]`;
    if (!isJson(button)) throw new DefinitionError(`${at} must be an object, got ${describe(button)}`);
    const metaType = button['type'];
    const type = (typeof metaType === 'string' && BUTTON_TYPES[metaType.toUpperCase()]) || 'other';
    const text = typeof button['text'] === 'string' ? button['text'] : '';
    const definition: TemplateButtonDefinition = { index, type, text };
    if (type === 'url') Object.assign(definition, urlParts(button['url'], format, `${at}.url`));
    return definition;
  });
}

function urlParts(
  url: unknown,
  format: TemplateParameterFormat,
  path: string,
): Pick<TemplateButtonDefinition, 'url' | 'dynamic' | 'urlBase'> {
  if (typeof url !== 'string' || url === '') throw new DefinitionError(`${path} is missing`);
  const placeholder = url.indexOf('{{');
  if (placeholder < 0) return { url, dynamic: false };
  // Meta allows exactly one variable, at the end of the URL; anything else would be sent wrong.
  const names = paramNames(url, format, path);
  if (names.length !== 1 || !url.trimEnd().endsWith('}}')) {
    throw new DefinitionError(`${path} "${url}" must end in its only placeholder`);
  }
  return { url, dynamic: true, urlBase: url.slice(0, placeholder) };
}

function parseLimitedTimeOffer(component: Json): { hasExpiration: boolean } {
  const offer = component['limited_time_offer'];
  return { hasExpiration: isJson(offer) && offer['has_expiration'] === true };
}

function parseCarousel(component: Json, format: TemplateParameterFormat, path: string): TemplateCardDefinition[] {
  const cards = component['cards'];
  if (!Array.isArray(cards)) throw new DefinitionError(`${path}.cards must be an array, got ${describe(cards)}`);
  return cards.map((card, i) => {
    const at = `${path}.cards[${i}]`;
    if (!isJson(card)) throw new DefinitionError(`${at} must be an object, got ${describe(card)}`);
    const components = card['components'] ?? [];
    if (!Array.isArray(components)) throw new DefinitionError(`${at}.components must be an array`);
    const parts = parseComponents(components, format, `${at}.components`, false);
    const result: TemplateCardDefinition = { body: parts.body, buttons: parts.buttons };
    if (parts.header) result.header = parts.header;
    return result;
  });
}

/**
 * Distinct placeholders: POSITIONAL in numeric order (`{{2}} {{1}}` still takes values 1, 2),
 * NAMED in order of first appearance, which is how CleverTap lists a template's variables.
 */
function paramNames(text: unknown, format: TemplateParameterFormat, path: string): string[] {
  if (text === undefined) return [];
  if (typeof text !== 'string') throw new DefinitionError(`${path} must be a string, got ${describe(text)}`);
  const names = [...new Set(placeholderNames(text))];
  if (format === 'named') return names;
  const misnamed = names.find((n) => !POSITIONAL_NAME.test(n));
  if (misnamed !== undefined) throw new DefinitionError(`${path} has {{${misnamed}}} but the template is POSITIONAL`);
  return names.sort((a, b) => Number(a) - Number(b));
}

function placeholderNames(text: string): string[] {
  return Array.from(text.matchAll(PLACEHOLDER), (m) => m[1] ?? '');
}

export interface TemplateListPage {
  templates: TemplateDefinition[];
  /** One line per item that could not be parsed; the page's other templates are still usable. */
  problems: string[];
  /** The `after` cursor for the next request; absent on the last page. */
  nextAfter?: string;
}

/**
 * One page of `GET /{WABA_ID}/message_templates`. There is a further page only when `paging.next`
 * is present: Meta also returns `cursors.after` on the last page, so that alone means nothing.
 */
export function parseTemplateListPage(json: unknown): TemplateListPage {
  if (!isJson(json)) return { templates: [], problems: [`template list must be an object, got ${describe(json)}`] };
  const data = json['data'];
  if (!Array.isArray(data)) return { templates: [], problems: [`template list has no data array, got ${describe(data)}`] };

  const page: TemplateListPage = { templates: [], problems: [] };
  data.forEach((item, i) => {
    const parsed = parseTemplateDefinition(item);
    if ('error' in parsed) page.problems.push(`data[${i}]: ${parsed.error}`);
    else page.templates.push(parsed);
  });

  const paging = json['paging'];
  if (isJson(paging) && typeof paging['next'] === 'string' && paging['next'] !== '') {
    const cursors = paging['cursors'];
    const after = isJson(cursors) ? cursors['after'] : undefined;
    if (typeof after === 'string' && after !== '') page.nextAfter = after;
    else page.problems.push('paging.next is present but paging.cursors.after is missing; listing stops here');
  }
  return page;
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}
