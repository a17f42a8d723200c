import { describe, expect, it } from 'vitest';
import { Lifecycle, type Service } from './lifecycle.js';

function recording(log: string[], name: string, fail?: 'start' | 'stop'): Service {
  return {
    start: async () => {
      log.push(`start ${name}`);
      if (fail === 'start') throw new Error(`${name} cannot start`);
    },
    stop: async () => {
      log.push(`stop ${name}`);
      if (fail === 'stop') throw new Error(`${name} cannot stop`);
    },
  };
}

describe('Lifecycle', () => {
  it('starts and stops in the orders given, ready only in between', async () => {
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((name) => recording(log, name)) as [Service, Service, Service];
    const lifecycle = new Lifecycle();
    expect(lifecycle.ready).toBe(false);
    await lifecycle.startAll([a, b, c]);
    expect(lifecycle.ready).toBe(true);
    const stopping = lifecycle.stopAll([b, a, c]);
    expect(lifecycle.ready).toBe(false);
    await stopping;
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop b', 'stop a', 'stop c']);
  });

  it('stops every service when one fails to stop, then reports the first failure', async () => {
    const log: string[] = [];
    const lifecycle = new Lifecycle();
    await expect(lifecycle.stopAll([recording(log, 'a', 'stop'), recording(log, 'b', 'stop'), recording(log, 'c')])).rejects.toThrow('a cannot stop');
    expect(log).toEqual(['stop a', 'stop b', 'stop c']);
  });

  it('a failed start leaves it not ready; stopping twice stops once', async () => {
    const log: string[] = [];
    const lifecycle = new Lifecycle();
    const services = [recording(log, 'a'), recording(log, 'b', 'start'), recording(log, 'c')];
    await expect(lifecycle.startAll(services)).rejects.toThrow('b cannot start');
    expect(lifecycle.ready).toBe(false);
    await Promise.all([lifecycle.stopAll(services), lifecycle.stopAll(services)]);
    expect(log).toEqual(['start a', 'start b', 'stop a', 'stop b', 'stop c']);
  });
});
