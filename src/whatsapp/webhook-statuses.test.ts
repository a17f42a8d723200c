import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWebhookStatuses } from './webhook-statuses.js';

const FIXTURES = new URL('../../test/fixtures/whatsapp/webhooks/', import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as unknown;
const PHONE = '106540352242922';
const envelope = (statuses: string) =>
  JSON.parse(`{"entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"${PHONE}"},"statuses":${statuses}}}]}]}`) as unknown;
const DEEP_ARRAY = '['.repeat(10_000) + ']'.repeat(10_000);
const DEEP_OBJECT = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);

describe('parseWebhookStatuses', () => {
  it('reads every recorded status fixture without a problem', () => {
    for (const name of readdirSync(FIXTURES).filter((n) => n.startsWith('status-'))) {
      const parsed = parseWebhookStatuses(fixture(name));
      expect(parsed.problems, name).toEqual([]);
      expect(parsed.skipped, name).toEqual([]);
      expect(parsed.updates.length, name).toBeGreaterThan(0);
    }
  });

  it('never throws on values nested 10,000 levels deep, and costs only the items they are in', () => {
    const body = envelope(
      `[{"id":"wamid.1","status":"sent","timestamp":${DEEP_ARRAY}},{"id":"wamid.2","status":${DEEP_OBJECT}},{"id":${DEEP_ARRAY},"status":"read"},`
        + `{"id":"wamid.3","status":"failed","errors":[{"code":${DEEP_ARRAY},"title":${DEEP_OBJECT}}]},{"id":"wamid.4","status":"delivered","timestamp":"1750030073"}]`,
    );
    const { updates, problems, skipped } = parseWebhookStatuses(body);
    expect(updates.map((update) => [update.wamid, update.status])).toEqual([['wamid.1', 'sent'], ['wamid.3', 'failed'], ['wamid.4', 'delivered']]);
    expect(updates[1]!.failure).toEqual({ reason: 'other', title: 'Failed without an error code' });
    expect(updates[2]!.at).toBe(1_750_030_073_000);
    expect(problems).toEqual(['entry[0].changes[0].statuses[1]: unknown status an object', 'entry[0].changes[0].statuses[2]: no id']);
    expect(skipped.map((item) => [item.where, item.phoneNumberId])).toEqual([
      ['entry[0].changes[0].statuses[1]', PHONE],
      ['entry[0].changes[0].statuses[2]', PHONE],
    ]);
  });

  it('reads no inherited property as a status', () => {
    const { updates, skipped } = parseWebhookStatuses(envelope('[{"id":"a","status":"constructor"},{"id":"b","status":"__proto__"},{"id":"c","status":"hasOwnProperty"},{"id":"d","status":"PLAYED"}]'));
    expect(updates.map((update) => [update.wamid, update.status])).toEqual([['d', 'read']]);
    expect(skipped.map((item) => item.reason)).toEqual(['unknown status "constructor"', 'unknown status "__proto__"', 'unknown status "hasOwnProperty"']);
  });

  it('hands back the skipped item itself, and a change without a phone number id whole', () => {
    const body = JSON.parse('{"entry":[{"changes":[{"value":{"metadata":{},"statuses":[{"id":"x","status":"sent"}]}},{"value":{"metadata":{"phone_number_id":1},"statuses":[5,{"id":"y","status":"sent"}]}}]}]}') as unknown;
    const { updates, skipped } = parseWebhookStatuses(body);
    expect(updates.map((update) => [update.phoneNumberId, update.wamid])).toEqual([['1', 'y']]);
    expect(skipped).toEqual([
      { where: 'entry[0].changes[0]', reason: 'no metadata.phone_number_id', item: { metadata: {}, statuses: [{ id: 'x', status: 'sent' }] } },
      { where: 'entry[0].changes[1].statuses[0]', reason: 'not an object', item: 5, phoneNumberId: '1' },
    ]);
  });
});
