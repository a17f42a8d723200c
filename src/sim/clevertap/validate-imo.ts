/**
 * @module sim/clevertap/validate-imo
 * Checks an inbound-message body against CleverTap's format (spec §4): `from`, `wabaNumber`,
 * string `timestamp` of epoch seconds, a `type`, the content object for that type and an
 * optional `context.id` (the msgId replied to, which is how CleverTap counts "Replied").
 */
import {
  at,
  checkEpochSecondsString,
  checkOptionalString,
  checkPayloadVersion,
  checkString,
  describe,
  isObject,
  type Json,
} from './validate-common.js';
import type { ImoType, Problem } from './types.js';

export const IMO_TYPES: readonly ImoType[] = ['text', 'image', 'video', 'audio', 'voice', 'file', 'location', 'button'];

export interface ValidImo {
  from: string;
  wabaNumber: string;
  type: ImoType;
  epochSeconds: number;
  contextId?: string;
}

export type ImoValidation = ({ ok: true } & ValidImo) | { ok: false; problems: Problem[] };

const PHONE = /^\+?\d{6,15}$/;

export function validateImo(body: unknown): ImoValidation {
  if (!isObject(body)) return { ok: false, problems: [{ path: '$', message: `must be a JSON object, got ${describe(body)}` }] };
  const problems: Problem[] = [];
  checkPayloadVersion(body, problems);
  const from = checkPhone(body.from, 'from', problems);
  const wabaNumber = checkPhone(body.wabaNumber, 'wabaNumber', problems);
  const epochSeconds = checkEpochSecondsString(body.timestamp, 'timestamp', problems);
  const type = body.type;
  if (typeof type !== 'string' || !IMO_TYPES.includes(type as ImoType)) {
    problems.push({ path: 'type', message: `must be one of ${IMO_TYPES.join(', ')}, got ${describe(type)}` });
  } else {
    checkContent(body, type as ImoType, problems);
  }
  const contextId = checkContext(body.context, problems);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    from: from!,
    wabaNumber: wabaNumber!,
    type: type as ImoType,
    epochSeconds: epochSeconds!,
    ...(contextId !== undefined ? { contextId } : {}),
  };
}

function checkPhone(v: unknown, path: string, problems: Problem[]): string | undefined {
  if (typeof v !== 'string' || !PHONE.test(v)) {
    problems.push({ path, message: `must be a string phone number of 6-15 digits like "919999999999", got ${describe(v)}` });
    return undefined;
  }
  return v;
}

function checkContent(body: Json, type: ImoType, problems: Problem[]): void {
  switch (type) {
    case 'text': {
      const text = requireObject(body, 'text', problems);
      if (text) checkString(text.body, 'text.body', problems);
      return;
    }
    case 'image':
    case 'video':
    case 'audio':
      checkMedia(body, type, problems);
      return;
    case 'voice':
      // Meta reports voice notes as audio; either object name is a reasonable reading of §4.
      checkMedia(body, 'voice' in body ? 'voice' : 'audio' in body ? 'audio' : 'voice', problems);
      return;
    case 'file': {
      // The doc's sample uses `document`, its skeleton and table use `file`; either (or both) will do.
      const keys = ['file', 'document'].filter((k) => k in body);
      if (keys.length === 0) problems.push({ path: 'file', message: 'a file message needs a "file" and/or "document" object, got missing' });
      for (const k of keys) checkMedia(body, k, problems);
      return;
    }
    case 'location': {
      const loc = requireObject(body, 'location', problems);
      if (!loc) return;
      checkCoordinate(loc.latitude, 'location.latitude', 90, problems);
      checkCoordinate(loc.longitude, 'location.longitude', 180, problems);
      for (const k of ['name', 'address', 'url']) checkOptionalString(loc[k], `location.${k}`, problems);
      return;
    }
    case 'button': {
      const button = requireObject(body, 'button', problems);
      if (!button) return;
      checkString(button.payload, 'button.payload', problems);
      checkString(button.text, 'button.text', problems);
      return;
    }
  }
}

function requireObject(body: Json, key: string, problems: Problem[]): Json | undefined {
  const v = body[key];
  if (isObject(v)) return v;
  problems.push({ path: key, message: `a ${String(body.type)} message needs a "${key}" object, got ${describe(v)}` });
  return undefined;
}

function checkMedia(body: Json, key: string, problems: Problem[]): void {
  const media = requireObject(body, key, problems);
  if (!media) return;
  checkString(media.mediaURL, at(key, 'mediaURL'), problems);
  if (media.mimeType === undefined && typeof media.mimetype === 'string') {
    problems.push({ path: at(key, 'mimeType'), message: 'is required (found "mimetype"; CleverTap\'s samples spell it "mimeType")' });
  } else {
    checkString(media.mimeType, at(key, 'mimeType'), problems);
  }
  checkOptionalString(media.caption, at(key, 'caption'), problems);
}

/** Latitude/longitude arrive as strings in the sample and numbers in the table; both must parse. */
function checkCoordinate(v: unknown, path: string, limit: number, problems: Problem[]): void {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || Math.abs(n) > limit) {
    problems.push({ path, message: `must be a number or numeric string within ±${limit}, got ${describe(v)}` });
  }
}

function checkContext(v: unknown, problems: Problem[]): string | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) {
    problems.push({ path: 'context', message: `must be an object {id} when present, got ${describe(v)}` });
    return undefined;
  }
  return checkString(v.id, 'context.id', problems);
}
