/**
 * The hostile tenth of the soak's traffic (bench/soak.ts): requests a careless or malicious
 * client sends the messaging endpoint and its neighbours. Each kind aims at a place where memory
 * could pile up per request: unknown account ids and random paths (per-key state, router caches),
 * wrong credentials (auth failure bookkeeping), bodies that fail to parse at different depths, and
 * bodies over the limit (buffers). Seeded, so a run can be repeated request for request.
 */
export type GarbageKind = 'invalid-json' | 'wrong-credentials' | 'bad-numbers' | 'oversized' | 'deep-json' | 'unknown-account' | 'random-path';

export const GARBAGE_KINDS: readonly GarbageKind[] = ['invalid-json', 'wrong-credentials', 'bad-numbers', 'oversized', 'deep-json', 'unknown-account', 'random-path'];

export interface BenchRequest {
  kind: GarbageKind | 'valid';
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** mulberry32: small, fast, good enough to vary garbage reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GarbageOptions {
  accountId: string;
  authorization: string;
  /** Bytes over which the gateway answers 413 (`server.bodyLimitBytes`, 256 KB by default). */
  bodyLimitBytes: number;
  seed: number;
}

export function garbageMaker(options: GarbageOptions): (kind: GarbageKind, validBody: string) => BenchRequest {
  const random = seededRandom(options.seed);
  const hex = (length: number) => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
  const messagesPath = `/v1/clevertap/${options.accountId}/messages`;
  const json = { 'content-type': 'application/json' };
  const authorized = { ...json, authorization: options.authorization };
  const oversized = Buffer.from(`{"pad":"${'x'.repeat(options.bodyLimitBytes + 32 * 1024)}"}`);
  const depth = 10_000;
  const deep = `{"to":"919000000000","msgId":"deep","wabaNumber":${'['.repeat(depth)}${']'.repeat(depth)}}`;
  const badNumbers = [
    (body: Record<string, unknown>) => ({ ...body, to: `91${hex(4)}zz${hex(4)}` }),
    (body: Record<string, unknown>) => ({ ...body, to: Number(`9170${Math.floor(random() * 1e8)}`) }),
    (body: Record<string, unknown>) => ({ ...body, to: '1e309', msgId: 1e309 }),
    (body: Record<string, unknown>) => ({ ...body, to: -1, wabaNumber: 123.456 }),
    (body: Record<string, unknown>) => ({ ...body, to: `+${'9'.repeat(200)}` }),
  ];
  return (kind, validBody) => {
    switch (kind) {
      case 'invalid-json':
        return { kind, method: 'POST', path: messagesPath, headers: authorized, body: `${validBody.slice(0, Math.floor(random() * validBody.length))}}{,` };
      case 'wrong-credentials':
        return { kind, method: 'POST', path: messagesPath, headers: { ...json, authorization: `Bearer wrong-${hex(24)}` }, body: validBody };
      case 'bad-numbers': {
        const mutate = badNumbers[Math.floor(random() * badNumbers.length)]!;
        return { kind, method: 'POST', path: messagesPath, headers: authorized, body: JSON.stringify(mutate(JSON.parse(validBody) as Record<string, unknown>)) };
      }
      case 'oversized':
        return { kind, method: 'POST', path: messagesPath, headers: authorized, body: oversized };
      case 'deep-json':
        return { kind, method: 'POST', path: messagesPath, headers: authorized, body: deep };
      case 'unknown-account':
        return { kind, method: 'POST', path: `/v1/clevertap/acct-${hex(16)}/messages`, headers: { ...json, authorization: `Bearer ${hex(16)}` }, body: validBody };
      case 'random-path':
        return random() < 0.5
          ? { kind, method: 'GET', path: `/${hex(8)}/${hex(12)}?q=${hex(16)}`, headers: {} }
          : { kind, method: 'POST', path: `/v1/${hex(6)}/${hex(10)}`, headers: authorized, body: validBody };
    }
  };
}
