import { describe, expect, it } from 'vitest';
import type { StateChange } from '../store/message-store.js';
import { reportsForChange } from './delivery-reports.js';

const change = (previous: StateChange['previous'], state: StateChange['state'], extra: Partial<StateChange> = {}): StateChange => ({
  id: 'm1',
  accountId: 'acme',
  msgId: '1|2|3|4',
  previous,
  state,
  at: 1_750_000_000_000,
  ...extra,
});

describe('reportsForChange', () => {
  it('reports one stage per ordinary step', () => {
    expect(reportsForChange(change('submitted', 'sent')).map((report) => report.status)).toEqual(['sent']);
    expect(reportsForChange(change('sent', 'delivered')).map((report) => report.status)).toEqual(['delivered']);
  });

  it('fills in the stages a jump skipped, so CleverTap counts Delivered for a message read at once', () => {
    expect(reportsForChange(change('submitted', 'read')).map((report) => report.status)).toEqual(['sent', 'delivered', 'read']);
    expect(reportsForChange(change('accepted', 'delivered')).map((report) => report.status)).toEqual(['sent', 'delivered']);
  });

  it('reports nothing for submitted (CleverTap counted Sent from our answer)', () => {
    expect(reportsForChange(change('accepted', 'submitted'))).toEqual([]);
  });

  it('reports a failure with its reason', () => {
    const failure = { reason: 'outside_window' as const, metaCode: 131047, title: 'Re-engagement message' };
    expect(reportsForChange(change('sent', 'failed', { failure }))).toEqual([{ msgId: '1|2|3|4', status: 'failed', at: 1_750_000_000_000, failure }]);
  });
});
