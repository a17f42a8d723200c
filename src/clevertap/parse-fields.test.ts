import { describe, expect, it } from 'vitest';
import { field, fieldKey, fieldKeyCacheSize, FIELD_KEY_CACHE_LIMITS } from './parse-fields.js';

/** The most the cache may hold: every entry a name and its key at the length limit. */
const MAX_CACHED_CHARACTERS = FIELD_KEY_CACHE_LIMITS.maxEntries * 2 * FIELD_KEY_CACHE_LIMITS.maxKeyLength;

describe('fieldKey', () => {
  it('ignores case, `_`, `-` and spaces', () => {
    expect(fieldKey('Msg_Id')).toBe('msgid');
    expect(fieldKey('quick-reply')).toBe(fieldKey('QuickReply'));
    expect(fieldKey('media URL')).toBe('mediaurl');
  });

  it('normalises long keys the same way without keeping them', () => {
    const long = `Msg_${'X'.repeat(FIELD_KEY_CACHE_LIMITS.maxKeyLength)}`;
    expect(fieldKey(long)).toBe(`msg${'x'.repeat(FIELD_KEY_CACHE_LIMITS.maxKeyLength)}`);
    expect(fieldKeyCacheSize().characters).toBeLessThanOrEqual(MAX_CACHED_CHARACTERS);
  });

  it('holds a bounded size when bodies carry unique 200 KB keys', () => {
    // Each body's keys are looked up by field(); before the size bound, 2,048 of these stayed cached (~780 MB).
    for (let i = 0; i < 100; i++) {
      const body = { [`${'k'.repeat(200_000)}${i}`]: 'x', msgId: `m${i}` };
      expect(field(body, 'msg_id')).toBe(`m${i}`);
    }
    expect(fieldKeyCacheSize().characters).toBeLessThanOrEqual(MAX_CACHED_CHARACTERS);
  });

  it('holds a bounded number of entries under a flood of unique short keys, and keeps working', () => {
    for (let i = 0; i < FIELD_KEY_CACHE_LIMITS.maxEntries * 3; i++) fieldKey(`junk_${i}`);
    const { entries, characters } = fieldKeyCacheSize();
    expect(entries).toBeLessThanOrEqual(FIELD_KEY_CACHE_LIMITS.maxEntries);
    expect(characters).toBeLessThanOrEqual(MAX_CACHED_CHARACTERS);
    expect(field({ Payload_Version: 0.1 }, 'payloadVersion')).toBe(0.1);
  });
});
