/**
 * @module whatsapp/errors.test
 */
import { describe, expect, it } from 'vitest';
import { FAILURE_REASONS } from '../domain/failure.js';
import {
  META_ERROR_RANGES,
  META_ERROR_REFINEMENTS,
  META_ERROR_RULES,
  UNKNOWN_META_ERROR_RULE,
  classifyMetaError,
  metaErrorRule,
  type RetryClass,
} from './errors.js';

/** Every single code in meta-cloud-api.md §2.4 (the 200–299 range is checked separately). */
const SPEC_CODES = [
  0, 190, 104, 3, 10, 4, 80007, 130429, 131048, 131056, 131064, 133016, 368, 131031, 130497, 1, 2, 100, 131000,
  131005, 131008, 131009, 131016, 131021, 131026, 131030, 131037, 131042, 131045, 131047, 131049, 131050, 131051,
  131052, 131053, 131057, 131062, 131063, 130403, 130472, 132000, 132001, 132005, 132007, 132012, 132015, 132016,
  132018, 132068, 132069, 133010, 135000,
];

function codesWhere(predicate: (retry: RetryClass, reason: string) => boolean): number[] {
  return [...META_ERROR_RULES].filter(([, r]) => predicate(r.retry, r.reason)).map(([code]) => code).sort((a, b) => a - b);
}

describe('META_ERROR_RULES', () => {
  it('covers exactly the codes of the spec table', () => {
    expect([...META_ERROR_RULES.keys()].sort((a, b) => a - b)).toEqual([...SPEC_CODES].sort((a, b) => a - b));
  });

  it('gives every rule a title and a one-line note, and only canonical reasons', () => {
    for (const [code, r] of META_ERROR_RULES) {
      expect(r.title.length, `title of ${code}`).toBeGreaterThan(0);
      expect(r.note.length, `note of ${code}`).toBeGreaterThan(10);
      expect(r.note, `note of ${code}`).not.toMatch(/\n/);
      expect(FAILURE_REASONS).toContain(r.reason);
    }
  });

  it('retries only what Meta says is transient', () => {
    expect(codesWhere((retry) => retry === 'throughput')).toEqual([130429]);
    expect(codesWhere((retry) => retry === 'recipient')).toEqual([131056]);
    expect(codesWhere((retry) => retry === 'backoff')).toEqual([1, 2, 4, 80007, 131000, 131016, 131057]);
    expect(codesWhere((retry) => retry === 'auth')).toEqual([0, 104, 190]);
    expect(codesWhere((_, reason) => reason === 'invalid_credentials')).toEqual([0, 3, 10, 104, 190, 131005]);
  });

  it('maps codes to CleverTap’s meanings', () => {
    const reasonOf = (code: number) => metaErrorRule(code).reason;
    expect(reasonOf(131026)).toBe('device_incapable');
    expect(reasonOf(131047)).toBe('outside_window');
    expect(reasonOf(131030)).toBe('invalid_phone');
    expect(reasonOf(131021)).toBe('invalid_phone');
    expect(reasonOf(131050)).toBe('blacklisted');
    expect(reasonOf(131053)).toBe('invalid_template');
    expect(reasonOf(131042)).toBe('other');
    expect(reasonOf(131016)).toBe('temporarily_unavailable');
    expect(reasonOf(131000)).toBe('other');
    for (const code of [132000, 132001, 132005, 132007, 132012, 132015, 132016, 132018]) {
      expect(reasonOf(code), String(code)).toBe('invalid_template');
    }
    for (const code of [131048, 131049, 368, 131031, 130472, 131064, 130497, 130403]) {
      expect(reasonOf(code), String(code)).toBe('blocked_by_meta');
    }
    for (const code of [131056, 130429, 4, 80007]) {
      expect(reasonOf(code), String(code)).toBe('rate_limited');
    }
    for (const code of [133010, 131045, 131037]) {
      expect(reasonOf(code), String(code)).toBe('other');
    }
  });
});

describe('metaErrorRule', () => {
  it('answers the 200–299 permission range', () => {
    expect(META_ERROR_RANGES).toHaveLength(1);
    expect(metaErrorRule(200)).toMatchObject({ reason: 'invalid_credentials', retry: 'none', title: 'API Permission' });
    expect(metaErrorRule(299).title).toBe('API Permission');
    expect(metaErrorRule(300)).toBe(UNKNOWN_META_ERROR_RULE);
  });

  it('treats unknown codes as other, never retried', () => {
    expect(metaErrorRule(999_999)).toStrictEqual({
      title: 'Unknown error',
      reason: 'other',
      retry: 'none',
      note: 'A code this table does not know; reported as other and never retried.',
    });
  });
});

describe('classifyMetaError', () => {
  it('reads an unknown phone-number-id (100/33) as an account misconfiguration', () => {
    expect(classifyMetaError({ code: 100, subcode: 33, message: 'Unsupported post request. Object with ID \'1\' does not exist' }).reason).toBe(
      'invalid_credentials',
    );
  });

  it('reads generic parameter errors about the recipient as invalid_phone', () => {
    expect(classifyMetaError({ code: 131009, details: 'Recipient phone number not valid' }).reason).toBe('invalid_phone');
    expect(classifyMetaError({ code: 131008, details: 'The parameter to is required.' }).reason).toBe('invalid_phone');
    expect(classifyMetaError({ code: 100, message: '(#100) Invalid parameter', details: 'Invalid wa_id' }).reason).toBe('invalid_phone');
  });

  it('leaves other parameter errors on the template', () => {
    expect(classifyMetaError({ code: 131009, details: 'Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3' }).reason).toBe(
      'invalid_template',
    );
    expect(classifyMetaError({ code: 100, subcode: 2494010, details: 'phone_number_id field is malformed' }).reason).toBe('invalid_template');
  });

  it('does not refine codes outside the refinement list', () => {
    expect(classifyMetaError({ code: 132000, details: 'recipient phone whatever' }).reason).toBe('invalid_template');
    expect(META_ERROR_REFINEMENTS.flatMap((r) => r.codes).sort((a, b) => a - b)).toEqual([100, 100, 131008, 131009]);
  });
});
