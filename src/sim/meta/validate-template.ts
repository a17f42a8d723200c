/**
 * @module sim/meta/validate-template
 * Checks a `type: "template"` send against the stored definition the way Meta does: the
 * template must exist in that exact locale and be APPROVED, every component must carry exactly
 * as many parameters as the definition has placeholders, media headers are mandatory, dynamic
 * URL and copy-code buttons need their one parameter, and NAMED templates need `parameter_name`.
 * Detail strings copy Meta's wording so that a gateway's error mapping can be tested on them.
 */
import { Rejection } from './errors.js';
import type { TemplateButtonDef, TemplateComponentDef } from './default-templates.js';
import type { StoredTemplate, TemplateStore } from './templates.js';

type Obj = Record<string, unknown>;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
/** Meta rejects text parameters that would break the template's layout. */
const BAD_PARAM_TEXT = /[\n\t]| {5,}/;
const MAX_BUTTON_INDEX = 9;
const MAX_COUPON_LENGTH = 15;

export function validateTemplateSend(raw: unknown, store: TemplateStore): StoredTemplate {
  if (!isObj(raw)) throw new Rejection(131008, 'The parameter template is required.');
  const name = raw.name;
  if (typeof name !== 'string' || name === '') throw new Rejection(131008, "The parameter template['name'] is required.");
  const language = raw.language;
  const code = isObj(language) ? language.code : undefined;
  if (typeof code !== 'string' || code === '') {
    throw new Rejection(131008, "The parameter template['language']['code'] is required.");
  }
  const template = store.find(name, code);
  if (!template) throw new Rejection(132001, `template name (${name}) does not exist in ${code}`);
  switch (template.status) {
    case 'APPROVED':
      break;
    case 'PAUSED':
      throw new Rejection(132015, `Template ${name} is paused due to low quality so it cannot be sent in a template message.`);
    case 'DISABLED':
      throw new Rejection(132016, `Template ${name} has been paused too many times due to low quality and is now permanently disabled.`);
    default:
      throw new Rejection(132001, `template name (${name}) does not exist in ${code}`);
  }

  const components = raw.components ?? [];
  if (!Array.isArray(components)) throw new Rejection(100, "Param template['components'] must be an array.");
  checkComponents(template.components, components, template.parameter_format === 'NAMED', '', "template['components']", true);
  return template;
}

interface SendGroups {
  header?: Obj;
  body?: Obj;
  buttons: Map<number, Obj>;
  lto?: Obj;
  carousel?: Obj;
}

function checkComponents(
  defs: readonly TemplateComponentDef[],
  sent: readonly unknown[],
  named: boolean,
  label: string,
  path: string,
  topLevel: boolean,
): void {
  const groups = groupComponents(sent, path, topLevel);
  const def = (type: TemplateComponentDef['type']) => defs.find((c) => c.type === type);

  checkHeader(def('HEADER'), params(groups.header), named, label + 'header');
  checkTextParams(placeholders(def('BODY')?.text), params(groups.body), named, label + 'body', true);
  checkButtons(def('BUTTONS')?.buttons ?? [], groups.buttons, label);
  if (topLevel) {
    checkLto(def('LIMITED_TIME_OFFER'), groups.lto);
    checkCarousel(def('CAROUSEL'), groups.carousel, named);
  }
}

function groupComponents(sent: readonly unknown[], path: string, topLevel: boolean): SendGroups {
  const groups: SendGroups = { buttons: new Map() };
  sent.forEach((c, i) => {
    const at = `${path}[${i}]`;
    if (!isObj(c)) throw new Rejection(100, `Param ${at} must be an object.`);
    const type = typeof c.type === 'string' ? c.type.toLowerCase() : undefined;
    if (type === undefined) throw new Rejection(131008, `The parameter ${at}['type'] is required.`);
    if (c.parameters !== undefined && !Array.isArray(c.parameters)) {
      throw new Rejection(100, `Param ${at}['parameters'] must be an array.`);
    }
    switch (type) {
      case 'header':
      case 'body':
        if (groups[type]) throw new Rejection(131009, `Duplicate ${type} component in ${path}.`);
        groups[type] = c;
        break;
      case 'button': {
        if (typeof c.sub_type !== 'string') throw new Rejection(131008, `The parameter ${at}['sub_type'] is required.`);
        if (c.index === undefined) throw new Rejection(131008, `The parameter ${at}['index'] is required.`);
        const index = Number(c.index);
        if (!Number.isInteger(index) || index < 0 || index > MAX_BUTTON_INDEX || (typeof c.index === 'string' && c.index.trim() === '')) {
          throw new Rejection(131009, `Param ${at}['index'] must be an integer between 0 and ${MAX_BUTTON_INDEX}.`);
        }
        if (groups.buttons.has(index)) throw new Rejection(131009, `Duplicate button component with index ${index}.`);
        groups.buttons.set(index, c);
        break;
      }
      case 'limited_time_offer':
        if (!topLevel) throw new Rejection(100, `Param ${at}['type'] is not supported in a carousel card.`);
        groups.lto = c;
        break;
      case 'carousel':
        if (!topLevel) throw new Rejection(100, `Param ${at}['type'] is not supported in a carousel card.`);
        groups.carousel = c;
        break;
      default:
        throw new Rejection(100, `Param ${at}['type'] must be one of {HEADER, BODY, BUTTON, LIMITED_TIME_OFFER, CAROUSEL} - got "${String(c.type)}".`);
    }
  });
  return groups;
}

function checkHeader(def: TemplateComponentDef | undefined, sent: readonly unknown[], named: boolean, label: string): void {
  if (!def) {
    if (sent.length > 0) throw mismatch(label, sent.length, 0);
    return;
  }
  const format = def.format ?? 'TEXT';
  if (format === 'TEXT') {
    checkTextParams(placeholders(def.text), sent, named, label, false);
    return;
  }
  if (sent.length === 0) throw new Rejection(132012, `${label}: Format mismatch, expected ${format}, received UNKNOWN`);
  if (sent.length > 1) throw mismatch(label, sent.length, 1);
  const p = sent[0];
  const type = isObj(p) && typeof p.type === 'string' ? p.type.toLowerCase() : 'unknown';
  if (type !== format.toLowerCase()) {
    throw new Rejection(132012, `${label}: Format mismatch, expected ${format}, received ${type.toUpperCase()}`);
  }
  const media = (p as Obj)[type];
  if (!isObj(media)) throw new Rejection(131008, `The parameter ${label}['parameters'][0]['${type}'] is required.`);
  if (type === 'location') {
    if (!isCoordinate(media.latitude) || !isCoordinate(media.longitude)) {
      throw new Rejection(131008, `${label}: location latitude and longitude are required.`);
    }
  } else if (typeof media.id !== 'string' && typeof media.link !== 'string') {
    throw new Rejection(131008, `${label}: Parameter '${type}' requires either 'link' or 'id'.`);
  }
}

function checkTextParams(expected: readonly string[], sent: readonly unknown[], named: boolean, label: string, richTypes: boolean): void {
  if (sent.length !== expected.length) throw mismatch(label, sent.length, expected.length);
  const seen = new Set<string>();
  sent.forEach((p, i) => {
    if (!isObj(p)) throw new Rejection(100, `${label}: parameter ${i} must be an object.`);
    const type = typeof p.type === 'string' ? p.type.toLowerCase() : '';
    if (type === 'text') {
      if (typeof p.text !== 'string') throw new Rejection(131008, `${label}: The parameter text is required for parameter ${i}.`);
      if (p.text.trim() === '') throw new Rejection(131008, `${label}: parameter ${i} text cannot be empty.`);
      if (BAD_PARAM_TEXT.test(p.text)) {
        throw new Rejection(100, 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces');
      }
    } else if (richTypes && type === 'currency') {
      const c = p.currency;
      if (!isObj(c) || typeof c.fallback_value !== 'string' || typeof c.code !== 'string' || typeof c.amount_1000 !== 'number') {
        throw new Rejection(131008, `${label}: currency parameter ${i} requires fallback_value, code and amount_1000.`);
      }
    } else if (richTypes && type === 'date_time') {
      if (!isObj(p.date_time) || typeof p.date_time.fallback_value !== 'string') {
        throw new Rejection(131008, `${label}: date_time parameter ${i} requires fallback_value.`);
      }
    } else {
      throw new Rejection(132012, `${label}: Format mismatch, expected TEXT, received ${type.toUpperCase() || 'UNKNOWN'}`);
    }
    if (!named) return;
    const pn = p.parameter_name;
    if (typeof pn !== 'string' || pn === '') {
      throw new Rejection(132000, `${label}: parameter_name is required for every parameter of a template with NAMED parameter format (missing at parameter ${i})`);
    }
    if (!expected.includes(pn)) throw new Rejection(132000, `${label}: parameter_name (${pn}) does not exist in the template`);
    if (seen.has(pn)) throw new Rejection(132000, `${label}: parameter_name (${pn}) is repeated`);
    seen.add(pn);
  });
}

const SUB_TYPE_FOR: Readonly<Record<string, readonly TemplateButtonDef['type'][]>> = {
  url: ['URL', 'OTP'],
  quick_reply: ['QUICK_REPLY'],
  copy_code: ['COPY_CODE'],
  flow: ['FLOW'],
  catalog: ['CATALOG'],
  mpm: ['MPM'],
};

function checkButtons(defs: readonly TemplateButtonDef[], sent: Map<number, Obj>, label: string): void {
  for (const [index, c] of sent) {
    const def = defs[index];
    if (!def) {
      throw new Rejection(131009, `${label}buttons: button at index ${index} does not exist in the template (it has ${defs.length} buttons)`);
    }
    const subType = (c.sub_type as string).toLowerCase();
    const allowed = SUB_TYPE_FOR[subType];
    if (!allowed) throw new Rejection(131009, `Param sub_type must be one of {URL, QUICK_REPLY, COPY_CODE, FLOW, CATALOG, MPM} - got "${subType}".`);
    if (!allowed.includes(def.type)) {
      throw new Rejection(132012, `${label}button at index ${index}: Format mismatch, expected ${def.type}, received ${subType.toUpperCase()}`);
    }
    const ps = params(c);
    const bl = `${label}button at index ${index}`;
    switch (def.type) {
      case 'URL':
        if (ps.length !== (isDynamicUrl(def) ? 1 : 0)) throw mismatch(bl, ps.length, isDynamicUrl(def) ? 1 : 0);
        if (ps.length === 1) requireParam(ps[0], 'text', bl);
        break;
      case 'OTP':
        if (ps.length !== 1) throw mismatch(bl, ps.length, 1);
        requireParam(ps[0], 'text', bl);
        break;
      case 'QUICK_REPLY':
        if (ps.length > 1) throw mismatch(bl, ps.length, 1);
        if (ps.length === 1) requireParam(ps[0], 'payload', bl);
        break;
      case 'COPY_CODE': {
        if (ps.length !== 1) throw mismatch(bl, ps.length, 1);
        const coupon = requireParam(ps[0], 'coupon_code', bl);
        if (coupon.length > MAX_COUPON_LENGTH) {
          throw new Rejection(131009, `${bl}: coupon_code must be at most ${MAX_COUPON_LENGTH} characters long.`);
        }
        break;
      }
      default:
        if (ps.length > 1) throw mismatch(bl, ps.length, 1);
    }
  }
  defs.forEach((def, index) => {
    if (sent.has(index)) return;
    const needsParam = (def.type === 'URL' && isDynamicUrl(def)) || def.type === 'COPY_CODE' || def.type === 'OTP';
    if (needsParam) throw mismatch(`${label}button at index ${index}`, 0, 1);
  });
}

function checkLto(def: TemplateComponentDef | undefined, sent: Obj | undefined): void {
  const expected = def?.limited_time_offer?.has_expiration ? 1 : 0;
  const ps = params(sent);
  if (ps.length !== expected) throw mismatch('limited_time_offer', ps.length, expected);
  if (expected === 0) return;
  const p = ps[0];
  const type = isObj(p) && typeof p.type === 'string' ? p.type.toLowerCase() : 'unknown';
  if (type !== 'limited_time_offer') {
    throw new Rejection(132012, `limited_time_offer: Format mismatch, expected LIMITED_TIME_OFFER, received ${type.toUpperCase()}`);
  }
  const lto = (p as Obj).limited_time_offer;
  if (!isObj(lto) || typeof lto.expiration_time_ms !== 'number' || !Number.isInteger(lto.expiration_time_ms)) {
    throw new Rejection(131008, "The parameter limited_time_offer['expiration_time_ms'] is required and must be an integer (Unix ms).");
  }
}

function checkCarousel(def: TemplateComponentDef | undefined, sent: Obj | undefined, named: boolean): void {
  const defCards = def?.cards ?? [];
  const cards = sent?.cards;
  if (sent && !Array.isArray(cards)) throw new Rejection(131008, "The parameter carousel['cards'] is required.");
  const sentCards = (cards ?? []) as unknown[];
  if (sentCards.length !== defCards.length) {
    throw new Rejection(132000, `carousel: number of cards (${sentCards.length}) does not match the expected number of cards (${defCards.length})`);
  }
  const seen = new Set<number>();
  sentCards.forEach((card, i) => {
    if (!isObj(card)) throw new Rejection(100, `Param carousel['cards'][${i}] must be an object.`);
    if (card.card_index === undefined) throw new Rejection(131008, `The parameter carousel['cards'][${i}]['card_index'] is required.`);
    const index = Number(card.card_index);
    if (!Number.isInteger(index) || index < 0 || index >= defCards.length || seen.has(index)) {
      throw new Rejection(131009, `Param carousel['cards'][${i}]['card_index'] is not valid.`);
    }
    seen.add(index);
    const comps = card.components ?? [];
    if (!Array.isArray(comps)) throw new Rejection(100, `Param carousel['cards'][${i}]['components'] must be an array.`);
    const defCard = defCards[index] as { components: TemplateComponentDef[] };
    checkComponents(defCard.components, comps, named, `carousel card ${index} `, `carousel['cards'][${i}]['components']`, false);
  });
}

function requireParam(p: unknown, type: string, label: string): string {
  const got = isObj(p) && typeof p.type === 'string' ? p.type.toLowerCase() : 'unknown';
  if (got !== type) throw new Rejection(132012, `${label}: Format mismatch, expected ${type.toUpperCase()}, received ${got.toUpperCase()}`);
  const value = (p as Obj)[type];
  if (typeof value !== 'string' || value === '') throw new Rejection(131008, `${label}: The parameter ${type} is required.`);
  return value;
}

function mismatch(label: string, got: number, expected: number): Rejection {
  return new Rejection(132000, `${label}: number of localizable_params (${got}) does not match the expected number of params (${expected})`);
}

function params(c: Obj | undefined): readonly unknown[] {
  const p = c?.parameters;
  return Array.isArray(p) ? p : [];
}

function placeholders(text: string | undefined): string[] {
  if (!text) return [];
  const names = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) names.add(m[1] as string);
  return [...names];
}

function isDynamicUrl(def: TemplateButtonDef): boolean {
  return typeof def.url === 'string' && def.url.includes('{{');
}

function isCoordinate(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v));
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
