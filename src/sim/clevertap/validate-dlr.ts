/**
 * @module sim/clevertap/validate-dlr
 * Checks a delivery-report body against CleverTap's format (spec §3): `{payloadVersion, statuses[]}`
 * where sent/delivered/read/failed carry a string `timestamp` of epoch seconds, failed carries
 * `error {code 1000–1010, title}`, and Clicked carries numeric `ts`, `url`, `shortUrl`, `userAgent`.
 * CleverTap accepts a callback "only if the body matches the format", so this is deliberately strict.
 */
import {
  at,
  checkEpochSecondsNumber,
  checkEpochSecondsString,
  checkPayloadVersion,
  checkString,
  describe,
  isObject,
  type Json,
} from './validate-common.js';
import type { DlrStatus, DlrStatusName, Problem } from './types.js';

export const DLR_STATUSES: readonly DlrStatusName[] = ['sent', 'delivered', 'read', 'failed', 'clicked'];
export const MIN_DLR_ERROR_CODE = 1000;
export const MAX_DLR_ERROR_CODE = 1010;

export type DlrValidation =
  | { ok: true; payloadVersion: string | number; statuses: DlrStatus[] }
  | { ok: false; problems: Problem[] };

export function validateDlr(body: unknown): DlrValidation {
  const problems: Problem[] = [];
  if (!isObject(body)) return { ok: false, problems: [{ path: '$', message: `must be a JSON object, got ${describe(body)}` }] };
  const payloadVersion = checkPayloadVersion(body, problems);
  const statuses: DlrStatus[] = [];
  const list = body.statuses;
  if (!Array.isArray(list)) {
    problems.push({ path: 'statuses', message: `must be an array of status objects, got ${describe(list)}` });
  } else if (list.length === 0) {
    problems.push({ path: 'statuses', message: 'must contain at least one status' });
  } else {
    list.forEach((item, i) => {
      const status = checkStatus(item, at('statuses', i), problems);
      if (status) statuses.push(status);
    });
  }
  if (problems.length > 0 || payloadVersion === undefined) return { ok: false, problems };
  return { ok: true, payloadVersion, statuses };
}

function checkStatus(item: unknown, path: string, problems: Problem[]): DlrStatus | undefined {
  if (!isObject(item)) {
    problems.push({ path, message: `must be an object, got ${describe(item)}` });
    return undefined;
  }
  const before = problems.length;
  const msgId = checkMsgId(item, path, problems);
  const rawStatus = item.status;
  const status = typeof rawStatus === 'string' ? (rawStatus.toLowerCase() as DlrStatusName) : undefined;
  if (status === undefined || !DLR_STATUSES.includes(status)) {
    problems.push({
      path: at(path, 'status'),
      message: `must be one of sent, delivered, read, failed, Clicked (any case), got ${describe(rawStatus)}`,
    });
    return undefined;
  }
  if (status === 'clicked') {
    const epochSeconds = checkEpochSecondsNumber(item.ts, at(path, 'ts'), problems);
    const url = checkString(item.url, at(path, 'url'), problems);
    const shortUrl = checkString(item.shortUrl, at(path, 'shortUrl'), problems);
    // A click seen without a User-Agent header still has to send the key.
    const userAgent = checkString(item.userAgent, at(path, 'userAgent'), problems, { nonEmpty: false });
    if (problems.length > before || msgId === undefined || epochSeconds === undefined) return undefined;
    return { msgId, status, rawStatus: rawStatus as string, epochSeconds, click: { url: url!, shortUrl: shortUrl!, userAgent: userAgent! } };
  }
  const epochSeconds = checkEpochSecondsString(item.timestamp, at(path, 'timestamp'), problems);
  const error = status === 'failed' ? checkError(item.error, at(path, 'error'), problems) : undefined;
  if (problems.length > before || msgId === undefined || epochSeconds === undefined) return undefined;
  return { msgId, status, rawStatus: rawStatus as string, epochSeconds, ...(error ? { error } : {}) };
}

function checkMsgId(item: Json, path: string, problems: Problem[]): string | undefined {
  if (item.msgId === undefined) {
    const variant = ['msg_id', 'msgid', 'messageId', 'id'].find((k) => k in item);
    const hint = variant ? ` (found "${variant}"; CleverTap reads "msgId")` : '';
    problems.push({ path: at(path, 'msgId'), message: `is required: the msgId CleverTap sent, echoed exactly${hint}` });
    return undefined;
  }
  return checkString(item.msgId, at(path, 'msgId'), problems);
}

function checkError(v: unknown, path: string, problems: Problem[]): { code: number; title: string } | undefined {
  if (!isObject(v)) {
    problems.push({ path, message: `a failed status needs error {code: ${MIN_DLR_ERROR_CODE}-${MAX_DLR_ERROR_CODE}, title}, got ${describe(v)}` });
    return undefined;
  }
  const code = v.code;
  let ok = true;
  if (typeof code !== 'number' || !Number.isInteger(code)) {
    problems.push({ path: at(path, 'code'), message: `must be an integer ${MIN_DLR_ERROR_CODE}-${MAX_DLR_ERROR_CODE}, got ${describe(code)}` });
    ok = false;
  } else if (code < MIN_DLR_ERROR_CODE || code > MAX_DLR_ERROR_CODE) {
    problems.push({ path: at(path, 'code'), message: `must be a CleverTap DLR code ${MIN_DLR_ERROR_CODE}-${MAX_DLR_ERROR_CODE}, got ${code}` });
    ok = false;
  }
  const title = checkString(v.title, at(path, 'title'), problems);
  return ok && title !== undefined ? { code: code as number, title } : undefined;
}
