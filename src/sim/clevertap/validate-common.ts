/**
 * @module sim/clevertap/validate-common
 * Small checks shared by the DLR and IMO validators. Each check appends a `Problem` naming the
 * exact path, so a rejected callback tells the gateway's author what to fix without a diff.
 */
import type { Problem } from './types.js';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short description of a wrong value, e.g. `number 1647441774` or `missing`. */
export function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return `${typeof v} ${text.length > 40 ? text.slice(0, 40) + '…' : text}`;
}

/** Joins a parent path and a key: `$` + `statuses` → `statuses`, `statuses[0]` + `msgId` → `statuses[0].msgId`. */
export function at(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent === '$' ? '' : parent}[${key}]`;
  return parent === '$' ? key : `${parent}.${key}`;
}

// Epoch seconds between 2001-09-09 and 2286-11-20: rules out milliseconds and small counters.
const MIN_EPOCH_SECONDS = 1_000_000_000;
const MAX_EPOCH_SECONDS = 9_999_999_999;

function epochProblem(n: number): string | undefined {
  if (n >= MIN_EPOCH_SECONDS * 1000) return 'looks like epoch milliseconds; CleverTap wants seconds';
  if (n < MIN_EPOCH_SECONDS || n > MAX_EPOCH_SECONDS) return 'is not a plausible epoch seconds value';
  return undefined;
}

/** CleverTap's `timestamp`: a **string** of epoch seconds (`"1647441774"`). */
export function checkEpochSecondsString(v: unknown, path: string, problems: Problem[]): number | undefined {
  if (typeof v !== 'string' || !/^\d+$/.test(v)) {
    const hint = typeof v === 'number' ? ' (send it as a string)' : '';
    problems.push({ path, message: `must be a string of epoch seconds like "1647441774", got ${describe(v)}${hint}` });
    return undefined;
  }
  const n = Number(v);
  const bad = epochProblem(n);
  if (bad) {
    problems.push({ path, message: `${bad}, got ${describe(v)}` });
    return undefined;
  }
  return n;
}

/** A click's `ts`: a **number** of epoch seconds. */
export function checkEpochSecondsNumber(v: unknown, path: string, problems: Problem[]): number | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    problems.push({ path, message: `must be an integer number of epoch seconds, got ${describe(v)}` });
    return undefined;
  }
  const bad = epochProblem(v);
  if (bad) {
    problems.push({ path, message: `${bad}, got ${describe(v)}` });
    return undefined;
  }
  return v;
}

export function checkString(v: unknown, path: string, problems: Problem[], opts: { nonEmpty?: boolean } = {}): string | undefined {
  if (typeof v !== 'string') {
    problems.push({ path, message: `must be a string, got ${describe(v)}` });
    return undefined;
  }
  if (opts.nonEmpty !== false && v.trim() === '') {
    problems.push({ path, message: 'must not be empty' });
    return undefined;
  }
  return v;
}

export function checkOptionalString(v: unknown, path: string, problems: Problem[]): void {
  if (v !== undefined && typeof v !== 'string') problems.push({ path, message: `must be a string when present, got ${describe(v)}` });
}

/** `payloadVersion`: CleverTap's samples use `"0.1"`; its templates leave it unquoted, so numbers pass too. */
export function checkPayloadVersion(body: Json, problems: Problem[]): string | number | undefined {
  const v = body.payloadVersion;
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const misspelt = ['payloadversion', 'paytloadVersion'].find((k) => k in body);
  const hint = misspelt ? ` (found "${misspelt}"; the key is "payloadVersion")` : '';
  problems.push({ path: 'payloadVersion', message: `must be a string or number such as "0.1", got ${describe(v)}${hint}` });
  return undefined;
}

/** One line for the 400 body and the rejected log. */
export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('; ');
}
