import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startClevertapSimulator, type ClevertapSimulator } from './index.js';
import { fixture, fixtureNames, postJson } from './test-support.js';

let sim: ClevertapSimulator;
beforeAll(async () => {
  sim = await startClevertapSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const DLR_OK = { payloadVersion: '0.1', statuses: [{ msgId: '1|77|20241114|1', status: 'sent', timestamp: '1647441770' }] };
const IMO_OK = { payloadVersion: '0.1', from: '919999999999', wabaNumber: '919888888888', timestamp: '1647441774', type: 'text', text: { body: 'hi' } };

const withStatus = (patch: Record<string, unknown>) => ({ payloadVersion: '0.1', statuses: [{ ...DLR_OK.statuses[0], ...patch }] });
const without = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

describe('callback fixtures', () => {
  it.each(fixtureNames('callbacks'))('accepts %s', async (name) => {
    const kind = name.startsWith('dlr') ? 'dlr' : 'imo';
    const url = kind === 'dlr' ? sim.deliveryReportUrl() : sim.inboundMessageUrl();
    const res = await postJson(url, fixture('callbacks', name));
    expect(res).toEqual({ status: 200, body: { status: 'success' } });
    expect(sim.rejectedBodies()).toEqual([]);
  });

  it('records accepted bodies with the account from the path', async () => {
    await postJson(sim.deliveryReportUrl('acme'), fixture('callbacks', 'dlr-batch'));
    await postJson(sim.inboundMessageUrl('acme'), fixture('callbacks', 'imo-text-reply'));
    const [dlr] = sim.deliveryReports();
    expect(dlr?.accountId).toBe('acme');
    expect(dlr?.statuses.map((s) => `${s.msgId}:${s.status}:${s.epochSeconds}`)).toEqual([
      '1|2|3|4:sent:1647441770',
      '1|2|3|4:delivered:1647441772',
      '1|2|3|5:read:1647441774',
    ]);
    const [imo] = sim.inboundMessages();
    expect(imo).toMatchObject({ accountId: 'acme', from: '919999999999', type: 'text', campaignId: '1639561857' });
  });

  it('serves the logs through the control API with absolute positions', async () => {
    await postJson(sim.deliveryReportUrl(), DLR_OK);
    await postJson(sim.deliveryReportUrl(), DLR_OK);
    const page = (await (await fetch(`${sim.url}/_sim/dlr?since=1`)).json()) as { count: number; next: number; items: unknown[] };
    expect(page).toMatchObject({ count: 2, since: 1, next: 2 });
    expect(page.items).toHaveLength(1);
    const imo = (await (await fetch(`${sim.url}/_sim/imo`)).json()) as { count: number };
    expect(imo.count).toBe(0);
  });
});

describe('malformed delivery reports', () => {
  const cases: [string, unknown, string][] = [
    ['missing msgId', withStatus({ msgId: undefined }), 'statuses[0].msgId: is required'],
    ['msg_id instead of msgId', { payloadVersion: '0.1', statuses: [{ msg_id: '1|2|3|4', status: 'sent', timestamp: '1647441770' }] }, 'found "msg_id"'],
    ['numeric timestamp', withStatus({ timestamp: 1647441770 }), 'statuses[0].timestamp: must be a string of epoch seconds'],
    ['milliseconds timestamp', withStatus({ timestamp: '1647441770000' }), 'statuses[0].timestamp: looks like epoch milliseconds'],
    ['failed without error', withStatus({ status: 'failed' }), 'statuses[0].error: a failed status needs error'],
    ['failed without error code', withStatus({ status: 'failed', error: { title: 'x' } }), 'statuses[0].error.code: must be an integer 1000-1010'],
    ['error code out of range', withStatus({ status: 'failed', error: { code: 2001, title: 'x' } }), 'statuses[0].error.code: must be a CleverTap DLR code 1000-1010, got 2001'],
    ['string error code', withStatus({ status: 'failed', error: { code: '1002', title: 'x' } }), 'statuses[0].error.code: must be an integer'],
    ['failed without title', withStatus({ status: 'failed', error: { code: 1002 } }), 'statuses[0].error.title: must be a string'],
    ['unknown status', withStatus({ status: 'seen' }), 'statuses[0].status: must be one of sent, delivered, read, failed, Clicked'],
    ['click with a string ts', withStatus({ status: 'Clicked', timestamp: undefined, ts: '1731583300', url: 'u', shortUrl: 's', userAgent: 'a' }), 'statuses[0].ts: must be an integer number'],
    ['click without shortUrl', withStatus({ status: 'Clicked', ts: 1731583300, url: 'u', userAgent: 'a' }), 'statuses[0].shortUrl: must be a string'],
    ['no payloadVersion', { statuses: DLR_OK.statuses }, 'payloadVersion: must be a string or number'],
    ['misspelt payloadVersion', { paytloadVersion: '0.1', statuses: DLR_OK.statuses }, 'found "paytloadVersion"'],
    ['statuses not an array', { payloadVersion: '0.1', statuses: DLR_OK.statuses[0] }, 'statuses: must be an array'],
    ['empty statuses', { payloadVersion: '0.1', statuses: [] }, 'statuses: must contain at least one status'],
    ['a bare status', DLR_OK.statuses, '$: must be a JSON object'],
  ];

  it.each(cases)('rejects %s', async (_name, body, reason) => {
    const res = await postJson(sim.deliveryReportUrl(), body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid delivery report');
    expect(res.body.reason).toContain(reason);
    const [rejected] = sim.rejectedBodies();
    expect(rejected).toMatchObject({ path: '/dlr', kind: 'invalid', status: 400 });
    expect(rejected?.reason).toContain(reason);
    expect(sim.deliveryReports()).toEqual([]);
  });

  it('names every offending status in a batch, and accepts none of it', async () => {
    const body = { payloadVersion: '0.1', statuses: [DLR_OK.statuses[0], { msgId: 'x|1', status: 'read' }, { status: 'sent', timestamp: '1647441770' }] };
    const res = await postJson(sim.deliveryReportUrl('acme'), body);
    expect(res.body.problems.map((p: { path: string }) => p.path)).toEqual(['statuses[1].timestamp', 'statuses[2].msgId']);
    expect(sim.rejectedBodies()[0]?.path).toBe('/dlr/acme');
    expect(sim.funnel('77').sent).toBe(0);
  });

  it('rejects bodies that are not JSON, or not sent as JSON', async () => {
    const bad = await postJson(sim.deliveryReportUrl(), undefined, { raw: '{"statuses": [' });
    expect(bad.status).toBe(400);
    expect(bad.body.reason).toMatch(/^\$: the body is not valid JSON/);
    const empty = await postJson(sim.inboundMessageUrl(), undefined, { raw: '' });
    expect(empty.body.reason).toBe('$: the body is empty; send a JSON object');
    const form = await postJson(sim.deliveryReportUrl(), undefined, { raw: JSON.stringify(DLR_OK), contentType: 'text/plain' });
    expect(form.status).toBe(400);
    expect(form.body.reason).toContain('Content-Type must be application/json');
  });

  it('accepts status names in any case', async () => {
    const res = await postJson(sim.deliveryReportUrl(), withStatus({ status: 'DELIVERED' }));
    expect(res.status).toBe(200);
    expect(sim.statusesOf('1|77|20241114|1')).toEqual(['delivered']);
  });
});

describe('malformed inbound messages', () => {
  const cases: [string, unknown, string][] = [
    ['no from', without(IMO_OK, 'from'), 'from: must be a string phone number'],
    ['numeric from', { ...IMO_OK, from: 919999999999 }, 'from: must be a string phone number of 6-15 digits like "919999999999", got number'],
    ['no type', without(IMO_OK, 'type'), 'type: must be one of text, image, video, audio, voice, file, location, button, got missing'],
    ['unknown type', { ...IMO_OK, type: 'sticker' }, 'type: must be one of'],
    ['numeric timestamp', { ...IMO_OK, timestamp: 1647441774 }, 'timestamp: must be a string of epoch seconds'],
    ['no wabaNumber', without(IMO_OK, 'wabaNumber'), 'wabaNumber: must be a string phone number'],
    ['text without body', { ...IMO_OK, text: {} }, 'text.body: must be a string, got missing'],
    ['image without mediaURL', { ...without(IMO_OK, 'text'), type: 'image', image: { mimeType: 'image/jpeg' } }, 'image.mediaURL: must be a string, got missing'],
    ['image with mimetype', { ...without(IMO_OK, 'text'), type: 'image', image: { mediaURL: 'https://x', mimetype: 'image/jpeg' } }, 'image.mimeType: is required (found "mimetype"'],
    ['video without object', { ...without(IMO_OK, 'text'), type: 'video' }, 'video: a video message needs a "video" object'],
    ['file without file or document', { ...without(IMO_OK, 'text'), type: 'file' }, 'file: a file message needs a "file" and/or "document" object'],
    ['document without mimeType', { ...without(IMO_OK, 'text'), type: 'file', document: { mediaURL: 'https://x' } }, 'document.mimeType: must be a string'],
    ['location without latitude', { ...without(IMO_OK, 'text'), type: 'location', location: { longitude: '2.1' } }, 'location.latitude: must be a number or numeric string'],
    ['button without payload', { ...without(IMO_OK, 'text'), type: 'button', button: { text: 'Confirm' } }, 'button.payload: must be a string'],
    ['context without id', { ...IMO_OK, context: {} }, 'context.id: must be a string, got missing'],
  ];

  it.each(cases)('rejects %s', async (_name, body, reason) => {
    const res = await postJson(sim.inboundMessageUrl(), body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid inbound message');
    expect(res.body.reason).toContain(reason);
    expect(sim.inboundMessages()).toEqual([]);
  });

  it('accepts a document-keyed file, a voice note and numeric coordinates', async () => {
    const base = without(IMO_OK, 'text');
    for (const body of [
      { ...base, type: 'file', document: { mediaURL: 'https://x/d.pdf', mimeType: '.pdf', caption: 'c' } },
      { ...base, type: 'voice', audio: { mediaURL: 'https://x/v.ogg', mimeType: 'audio/ogg' } },
      { ...base, type: 'location', location: { latitude: 2.45, longitude: -73.9 } },
    ]) {
      expect((await postJson(sim.inboundMessageUrl(), body)).status).toBe(200);
    }
    expect(sim.inboundMessages().map((m) => m.type)).toEqual(['file', 'voice', 'location']);
  });
});
