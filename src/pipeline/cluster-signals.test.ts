import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryBus, MemoryNotifier } from '../cluster/memory/memory-notifier.js';
import { ClusterSignals, SIGNAL_TOPIC, type SignalHandlers } from './cluster-signals.js';

function recorder(): SignalHandlers & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    send: (accountId) => seen.push(`send ${accountId}`),
    callbacks: (url) => seen.push(`callbacks ${url}`),
    optOut: (accountId, recipient, optedOut) => seen.push(`opt-out ${accountId} ${recipient} ${optedOut}`),
    templates: (accountId) => seen.push(`templates ${accountId}`),
  };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ClusterSignals', () => {
  it('reaches the other replicas, not the sender, and ignores what it cannot read', async () => {
    const bus = new MemoryBus();
    const logger = pino({ level: 'silent' });
    const a = new ClusterSignals({ notifier: new MemoryNotifier(bus), replicaId: 'a', logger });
    const b = new ClusterSignals({ notifier: new MemoryNotifier(bus), replicaId: 'b', logger });
    const atA = recorder();
    const atB = recorder();
    await a.start(atA);
    await b.start(atB);
    await new MemoryNotifier(bus).publish(SIGNAL_TOPIC, 'not json');
    a.publish({ kind: 'send', accountIds: ['acme', 'beta'] });
    a.publish({ kind: 'callbacks', urls: ['https://ct.example/dlr'] });
    a.publish({ kind: 'opt-out', accountId: 'acme', recipient: '919999999999', optedOut: true });
    a.publish({ kind: 'templates', accountId: 'acme' });
    await until(() => atB.seen.length === 5);
    expect(atB.seen).toEqual(['send acme', 'send beta', 'callbacks https://ct.example/dlr', 'opt-out acme 919999999999 true', 'templates acme']);
    expect(atA.seen).toEqual([]);
    await Promise.all([a.stop(), b.stop()]);
  });
});
