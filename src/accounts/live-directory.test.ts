import { describe, expect, it } from 'vitest';
import type { AccountChange, ResolvedAccount } from '../config/accounts.js';
import { LiveAccountDirectory } from './live-directory.js';

function account(id: string, overrides: { phoneNumberId?: string; wabaId?: string; appSecret?: string; verifyToken?: string; deliveryReportUrl?: string; mps?: number } = {}): ResolvedAccount {
  return {
    id,
    wabaNumber: '91980000000' + id.length,
    clevertap: {
      auth: { kind: 'bearer', token: `token-${id}` },
      ...(overrides.deliveryReportUrl ? { deliveryReportUrl: overrides.deliveryReportUrl } : {}),
      stopKeywords: ['STOP'],
      startKeywords: ['START'],
      clickTracking: { enabled: false },
      allowPrivateTargets: true,
      probeNumbers: new Set(['919870369294']),
    },
    whatsapp: {
      graphBaseUrl: 'http://127.0.0.1:1/v23.0',
      phoneNumberId: overrides.phoneNumberId ?? `pn-${id}`,
      wabaId: overrides.wabaId ?? `waba-${id}`,
      accessToken: `access-${id}`,
      appSecret: overrides.appSecret ?? `secret-${id}`,
      webhookVerifyToken: overrides.verifyToken ?? `verify-${id}`,
      messagesPerSecond: overrides.mps ?? 80,
      maxInFlight: 64,
    },
    simulated: false,
  };
}

function ids(change: AccountChange): Record<keyof AccountChange, string[]> {
  return { added: change.added.map((a) => a.id), updated: change.updated.map((a) => a.id), removed: change.removed.map((a) => a.id) };
}

describe('LiveAccountDirectory', () => {
  it('tells listeners what was added, updated and removed, and only when something changed', () => {
    const directory = new LiveAccountDirectory([account('acme'), account('beta')]);
    const heard: Array<Record<keyof AccountChange, string[]>> = [];
    const stop = directory.onChange((change) => heard.push(ids(change)));

    // The same settings resolved again (a new object, a new Set) are no change.
    directory.replace([account('acme'), account('beta')]);
    expect(heard).toEqual([]);

    directory.replace([account('acme', { mps: 20 }), account('gamma')], [account('beta')]);
    expect(heard).toEqual([{ added: ['gamma'], updated: ['acme'], removed: ['beta'] }]);
    expect(directory.all.map((a) => a.id)).toEqual(['acme', 'gamma']);
    expect(directory.byId('acme')?.whatsapp.messagesPerSecond).toBe(20);

    stop();
    directory.replace([account('acme')]);
    expect(heard).toHaveLength(1);
  });

  it('answers a deleted account for the work it left, not for new work', () => {
    const directory = new LiveAccountDirectory([account('acme')]);
    directory.replace([account('acme')], [account('gone', { deliveryReportUrl: 'https://ct.example/dlr', appSecret: 'gone-secret' })]);

    expect(directory.byId('gone')).toBeUndefined();
    expect(directory.byPhoneNumberId('pn-gone')).toBeUndefined();
    expect(directory.forWork('gone')?.id).toBe('gone');
    expect(directory.forWorkByPhoneNumberId('pn-gone')?.id).toBe('gone');
    expect(directory.deliveryReportUrl('gone')).toBe('https://ct.example/dlr');
    expect(directory.callbackTargetsPublicOnly('gone')).toBe(false);
    expect(directory.callbackTargetsPublicOnly('never-was')).toBe(true);
    expect(directory.deleted.map((a) => a.id)).toEqual(['gone']);
    // Its statuses are still signed with its secret; Meta's handshake is for live accounts only.
    expect(directory.appSecrets).toEqual(['secret-acme', 'gone-secret']);
    expect(directory.webhookVerifyTokens).toEqual(['verify-acme']);
  });

  it('prefers a live account on a number a deleted one had, and a live account over a deleted one with its id', () => {
    const directory = new LiveAccountDirectory();
    directory.replace([account('new', { phoneNumberId: 'pn-shared' }), account('back')], [account('old', { phoneNumberId: 'pn-shared' }), account('back', { mps: 1 })]);
    expect(directory.forWorkByPhoneNumberId('pn-shared')?.id).toBe('new');
    expect(directory.forWork('back')?.whatsapp.messagesPerSecond).toBe(80);
    expect(directory.deleted.map((a) => a.id)).toEqual(['old']);
  });

  it('indexes accounts by WABA and keeps the secrets distinct', () => {
    const directory = new LiveAccountDirectory([account('a', { wabaId: 'w1', appSecret: 's' }), account('b', { wabaId: 'w1', appSecret: 's' }), account('c', { wabaId: 'w2' })]);
    expect(directory.byWabaId('w1').map((a) => a.id)).toEqual(['a', 'b']);
    expect(directory.byWabaId('none')).toEqual([]);
    expect(directory.appSecrets).toEqual(['s', 'secret-c']);
    expect(() => directory.replace([account('a'), account('a')])).toThrow(/given twice/);
    // A refused replace leaves the accounts as they were.
    expect(directory.all.map((a) => a.id)).toEqual(['a', 'b', 'c']);
  });

  it('lets every listener hear a change even when one throws, then reports the failure', () => {
    const directory = new LiveAccountDirectory([account('acme')]);
    const heard: string[] = [];
    directory.onChange(() => {
      throw new Error('listener failed');
    });
    directory.onChange((change) => heard.push(...change.added.map((a) => a.id)));
    expect(() => directory.replace([account('acme'), account('beta')])).toThrow('listener failed');
    expect(heard).toEqual(['beta']);
    expect(directory.byId('beta')).toBeDefined();
  });
});
