/**
 * Builds the request CleverTap's Generic (Other) WhatsApp integration would send for a template
 * (or a freeform text), from the template's components and the values typed on the Send test page:
 * the same shape as the fixtures in test/fixtures/clevertap/requests/.
 */
import type { TemplateComponent, TemplateView } from './api/types.ts';

/** One input the Send test page asks for. `key` is unique within the template. */
export interface TemplateInput {
  key: string;
  label: string;
  placeholder?: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Distinct placeholders of a text: numeric order for {{1}}, order of first appearance for names. */
export function placeholdersOf(text: string | undefined): string[] {
  const names = [...new Set([...(text ?? '').matchAll(PLACEHOLDER)].map((match) => match[1]!))];
  return names.every((name) => /^\d+$/.test(name)) ? names.sort((a, b) => Number(a) - Number(b)) : names;
}

function part(template: TemplateView, type: string): TemplateComponent | undefined {
  return template.components.find((component) => component.type.toUpperCase() === type);
}

export function inputsOf(template: TemplateView): TemplateInput[] {
  const inputs: TemplateInput[] = [];
  const header = part(template, 'HEADER');
  const format = header?.format?.toUpperCase();
  if (header && format === 'TEXT') {
    for (const name of placeholdersOf(header.text)) inputs.push({ key: `header.${name}`, label: `Header {{${name}}}` });
  } else if (format === 'IMAGE' || format === 'VIDEO' || format === 'DOCUMENT') {
    inputs.push({ key: 'header.mediaURL', label: `Header ${format.toLowerCase()} URL`, placeholder: 'https://…' });
  } else if (format === 'LOCATION') {
    inputs.push({ key: 'header.latitude', label: 'Latitude' }, { key: 'header.longitude', label: 'Longitude' }, { key: 'header.name', label: 'Place name' });
  }
  for (const name of placeholdersOf(part(template, 'BODY')?.text)) inputs.push({ key: `body.${name}`, label: `Body {{${name}}}` });
  (part(template, 'BUTTONS')?.buttons ?? []).forEach((button, index) => {
    const type = button.type.toUpperCase();
    if (type === 'URL' && button.url && placeholdersOf(button.url).length > 0) {
      inputs.push({ key: `button.${index}`, label: `Button "${button.text}" URL suffix`, placeholder: button.url });
    } else if (type === 'COPY_CODE') {
      inputs.push({ key: `button.${index}`, label: `Button "${button.text}" code` });
    } else if (type === 'QUICK_REPLY') {
      inputs.push({ key: `button.${index}`, label: `Button "${button.text}" payload (optional)` });
    }
  });
  return inputs;
}

function filled(text: string, values: Record<string, string>, prefix: string): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values[`${prefix}.${name}`] || whole);
}

export interface SendTarget {
  to: string;
  wabaNumber: string;
  msgId: string;
}

/** A CleverTap-style msgId: `<campaign>|<message>|<yyyymmdd>|<n>`, unique per click of Send. */
export function testMsgId(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  return `console|${now.getTime()}|${day}|1`;
}

export function templateRequest(template: TemplateView, values: Record<string, string>, target: SendTarget): Record<string, unknown> {
  const components: Record<string, unknown>[] = [];
  const header = part(template, 'HEADER');
  const format = header?.format?.toUpperCase();
  if (header && format === 'TEXT') {
    const names = placeholdersOf(header.text);
    if (names.length > 0) {
      components.push({
        type: 'header',
        header: { type: 'text', text: { text: filled(header.text ?? '', values, 'header'), parameters: names.map((name) => ({ type: 'text', text: values[`header.${name}`] ?? '' })) } },
      });
    }
  } else if (format === 'IMAGE' || format === 'VIDEO') {
    const kind = format.toLowerCase();
    components.push({ type: 'header', header: { type: kind, [kind]: { mediaURL: values['header.mediaURL'] ?? '' } } });
  } else if (format === 'DOCUMENT') {
    components.push({ type: 'header', header: { type: 'file', file: { mediaURL: values['header.mediaURL'] ?? '', filename: 'document' } } });
  } else if (format === 'LOCATION') {
    components.push({
      type: 'header',
      header: { type: 'location', location: { latitude: values['header.latitude'] ?? '', longitude: values['header.longitude'] ?? '', name: values['header.name'] ?? '' } },
    });
  }
  const body = part(template, 'BODY');
  if (body?.text) {
    const names = placeholdersOf(body.text);
    components.push({ type: 'body', body: { text: filled(body.text, values, 'body'), parameters: names.map((name) => ({ type: 'text', text: values[`body.${name}`] ?? '' })) } });
  }
  (part(template, 'BUTTONS')?.buttons ?? []).forEach((button, index) => {
    const type = button.type.toUpperCase();
    const value = values[`button.${index}`] ?? '';
    if (type === 'URL' && button.url && placeholdersOf(button.url).length > 0) {
      components.push({ type: 'button', index, subType: 'dynamicUrl', buttonText: button.text, parameters: [{ type: 'text', text: value }] });
    } else if (type === 'COPY_CODE') {
      components.push({ type: 'button', index, subType: 'copy_code', buttonText: button.text, parameters: [{ type: 'coupon_code', coupon_code: value }] });
    } else if (type === 'QUICK_REPLY' && value) {
      components.push({ type: 'button', index, subType: 'quickReply', buttonText: button.text, parameters: [{ type: 'payload', payload: value }] });
    }
  });
  return {
    payloadVersion: 0.1,
    to: target.to,
    wabaNumber: target.wabaNumber,
    isTemplate: true,
    msgId: target.msgId,
    template: { namespace: template.name, languageCode: template.language },
    components,
  };
}

export function textRequest(text: string, target: SendTarget): Record<string, unknown> {
  return { payloadVersion: 0.1, to: target.to, wabaNumber: target.wabaNumber, isTemplate: false, msgId: target.msgId, type: 'text', text: { body: text } };
}
