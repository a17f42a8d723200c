/**
 * @module test/fuzz/generators
 * fast-check generators for every route a stranger can reach: CleverTap sends and Meta webhooks
 * mutated from the wire fixtures (test/fixtures/), signed media URLs, click links, and absurd
 * requests. Mutations are data (an operation and a few numbers), so a failure shrinks to the
 * smallest operation that still fails and replays the same way from a fixture file.
 *
 * A branch named in `exclude` is not generated: that is how a known failure someone else is
 * fixing stays out of the way until it is fixed (see EXCLUDED in fuzz-config.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { BodySpec, Credential, FuzzCase, FuzzRequest, MediaSignature } from './cases.js';
import { clone, fromValue, INVALID_UTF8_MARK, slots, type JsonNode } from './json-text.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);

export interface GeneratorContext {
  accountId: string;
  /** The account's Meta phone number id: webhooks name it so they reach the account. */
  phoneNumberId: string;
  /** A template whose first URL button points at the click-tracking domain. */
  trackedTemplate: string;
  bodyLimitBytes: number;
  exclude: ReadonlySet<string>;
}

function loadFixtures(folder: string): Array<[string, unknown]> {
  const url = new URL(folder, FIXTURES);
  return readdirSync(url)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(new URL(name, url), 'utf8'))]);
}

export const CLEVERTAP_FIXTURES = loadFixtures('clevertap/requests/');
export const WEBHOOK_FIXTURES = loadFixtures('whatsapp/webhooks/');

// ---------------------------------------------------------------------------------------------
// Mutations of a JSON tree

export type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'duplicate'; at: number; value: JsonNode }
  | { op: 'retype'; at: number; value: JsonNode }
  | { op: 'swap'; at: number }
  | { op: 'rename'; at: number; style: 'upper' | 'lower' | 'snake' | 'dash' | 'space' }
  | { op: 'proto'; at: number; key: string; value: JsonNode }
  | { op: 'huge'; at: number; unit: string; count: number }
  | { op: 'deep'; at: number; depth: number; open: '[' | '{' }
  | { op: 'many'; at: number; item: JsonNode; count: number }
  | { op: 'badUtf8'; at: number };

/** Values that have broken parsers before: wrong types, edge numbers, spellings JSON allows. */
const ODD_VALUES: JsonNode[] = [
  { t: 'str', v: '' },
  { t: 'str', v: '   ' },
  { t: 'str', v: '0' },
  { t: 'str', v: '-1' },
  { t: 'str', v: 'true' },
  { t: 'str', v: '+919999999999' },
  { t: 'str', v: '\u0000' },
  { t: 'str', v: 'https://t.example.com/\r\nSet-Cookie: x=1' },
  { t: 'str', v: '{{1}}' },
  { t: 'raw', text: '"\\ud800"' },
  { t: 'raw', text: '1e400' },
  { t: 'raw', text: '-0' },
  { t: 'raw', text: '123456789012345678901234567890' },
  { t: 'raw', text: '1E-400' },
  { t: 'num', v: 0 },
  { t: 'num', v: -1 },
  { t: 'num', v: 2 ** 53 + 1 },
  { t: 'num', v: 919999999999 },
  { t: 'bool', v: true },
  { t: 'null' },
  { t: 'arr', items: [] },
  { t: 'obj', entries: [] },
  { t: 'obj', entries: [['__proto__', { t: 'obj', entries: [['polluted', { t: 'bool', v: true }]] }]] },
];

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then', 'length'];
const HUGE_UNITS = ['a', 'é', '😀', '\u0000', '"', '\\', '\n', '!', 'a!', '\u202e'];

const anyValueArb: fc.Arbitrary<JsonNode> = fc.oneof(
  { arbitrary: fc.constantFrom(...ODD_VALUES), weight: 3 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }).map(fromValue), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((v): JsonNode => ({ t: 'str', v })), weight: 1 },
);

const at = fc.nat({ max: 10_000 });

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The same value with every lone surrogate (raw `\ud800` escapes too) replaced by `?`. */
function withoutLoneSurrogates(node: JsonNode): JsonNode {
  switch (node.t) {
    case 'str':
      return { t: 'str', v: node.v.replace(LONE_SURROGATE, '?') };
    case 'raw':
      return /\\u[dD][89a-fA-F]/.test(node.text) ? { t: 'str', v: '?' } : node;
    case 'arr':
      return { t: 'arr', items: node.items.map(withoutLoneSurrogates) };
    case 'obj':
      return { t: 'obj', entries: node.entries.map(([key, value]) => [key.replace(LONE_SURROGATE, '?'), withoutLoneSurrogates(value)]) };
    default:
      return node;
  }
}

export function mutationArb(options: { exclude: ReadonlySet<string>; scope: string; maxBody: number }): fc.Arbitrary<Mutation> {
  const { exclude, scope } = options;
  const allowed = (name: string) => !exclude.has(`${scope}:${name}`);
  const valueArb = allowed('lone-surrogate') ? anyValueArb : anyValueArb.map(withoutLoneSurrogates);
  const choices: Array<fc.WeightedArbitrary<Mutation>> = [
    { weight: 4, arbitrary: fc.record({ op: fc.constant('drop' as const), at }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('duplicate' as const), at, value: valueArb }) },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('retype' as const), at, value: valueArb }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('swap' as const), at }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('rename' as const), at, style: fc.constantFrom('upper' as const, 'lower' as const, 'snake' as const, 'dash' as const, 'space' as const) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('proto' as const), at, key: fc.constantFrom(...PROTO_KEYS), value: valueArb }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('badUtf8' as const), at }) },
  ];
  // Sized so the whole body mostly stays under the body limit: oversized bodies are their own branch.
  const budget = Math.floor(options.maxBody * 0.8);
  if (allowed('huge')) {
    choices.push({ weight: 1, arbitrary: fc.record({ op: fc.constant('huge' as const), at, unit: fc.constantFrom(...HUGE_UNITS), count: fc.integer({ min: 1_000, max: Math.floor(budget / 6) }) }) });
  }
  if (allowed('deep')) {
    choices.push({ weight: 1, arbitrary: fc.record({ op: fc.constant('deep' as const), at, depth: fc.integer({ min: 50, max: Math.floor(budget / 7) }), open: fc.constantFrom('[' as const, '{' as const) }) });
  }
  if (allowed('many')) {
    choices.push({ weight: 1, arbitrary: fc.record({ op: fc.constant('many' as const), at, item: fc.constantFrom<JsonNode>({ t: 'num', v: 0 }, { t: 'str', v: '' }, { t: 'obj', entries: [] }, { t: 'null' }, { t: 'obj', entries: [['type', { t: 'str', v: 'text' }], ['text', { t: 'str', v: 'x' }]] }), count: fc.integer({ min: 100, max: Math.floor(budget / 40) }) }) });
  }
  return fc.oneof(...choices);
}

/** Applies `mutations` in order to a copy of `base`; each acts on the `at`-th value (pre-order, wrapping). */
export function applyMutations(base: JsonNode, mutations: readonly Mutation[]): JsonNode {
  const root = { node: clone(base) };
  for (const mutation of mutations) {
    const all = slots(root);
    const slot = all[mutation.at % all.length]!;
    switch (mutation.op) {
      case 'drop':
        slot.remove?.();
        break;
      case 'duplicate':
        if (slot.addSibling && slot.key !== undefined) slot.addSibling(slot.key, mutation.value);
        else if (slot.node.t === 'arr') slot.node.items.push(clone(slot.node.items[0] ?? mutation.value));
        break;
      case 'retype':
        slot.replace(clone(mutation.value));
        break;
      case 'swap':
        slot.replace(swapped(slot.node));
        break;
      case 'rename':
        slot.rename?.((key) => restyle(key, mutation.style));
        break;
      case 'proto':
        if (slot.node.t === 'obj') slot.node.entries.push([mutation.key, clone(mutation.value)]);
        else slot.addSibling?.(mutation.key, clone(mutation.value));
        break;
      case 'huge':
        slot.replace({ t: 'huge', unit: mutation.unit, count: mutation.count });
        break;
      case 'deep':
        slot.replace({ t: 'deep', depth: mutation.depth, open: mutation.open, inner: slot.node.t === 'deep' ? { t: 'null' } : slot.node });
        break;
      case 'many':
        slot.replace({ t: 'many', item: mutation.item, count: mutation.count });
        break;
      case 'badUtf8':
        slot.replace({ t: 'str', v: `${slot.node.t === 'str' ? slot.node.v.slice(0, 20) : 'x'}${INVALID_UTF8_MARK}` });
        break;
    }
  }
  return root.node;
}

/** Numbers as strings and strings as numbers (or as something number-like when not numeric). */
function swapped(node: JsonNode): JsonNode {
  if (node.t === 'num') return { t: 'str', v: String(node.v) };
  if (node.t === 'str') {
    const number = Number(node.v);
    return node.v.trim() !== '' && Number.isFinite(number) ? { t: 'num', v: number } : { t: 'num', v: node.v.length };
  }
  if (node.t === 'bool') return { t: 'str', v: String(node.v) };
  if (node.t === 'arr') return node.items[0] ?? { t: 'null' };
  if (node.t === 'obj') return { t: 'arr', items: node.entries.map(([, value]) => value) };
  return { t: 'str', v: '1' };
}

function restyle(key: string, style: 'upper' | 'lower' | 'snake' | 'dash' | 'space'): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').split(/[\s_-]+/);
  switch (style) {
    case 'upper':
      return key.toUpperCase();
    case 'lower':
      return key.toLowerCase();
    case 'snake':
      return words.join('_');
    case 'dash':
      return words.join('-');
    case 'space':
      return words.join(' ');
  }
}

// ---------------------------------------------------------------------------------------------
// Request parts shared by the branches

const INVALID_UTF8: number[][] = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xe2, 0x82], [0xc0, 0xaf], [0xfe, 0xff]];

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8'];
const ODD_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json;;;',
  'image/png',
  ' application/json',
  'application/json, text/plain',
  '*/*',
  '',
  'application/vnd.api+json',
  'text/html; charset=utf-8',
];

/** Content-Type headers: mostly JSON, sometimes anything (or none at all). */
const contentTypeArb: fc.Arbitrary<Array<[string, string]>> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...JSON_TYPES).map((type): Array<[string, string]> => [['content-type', type]]) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_TYPES).map((type): Array<[string, string]> => [['content-type', type]]) },
  { weight: 1, arbitrary: fc.constant<Array<[string, string]>>([]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...JSON_TYPES), fc.constantFrom(...ODD_TYPES)).map(([a, b]): Array<[string, string]> => [['content-type', a], ['content-type', b]]) },
);

const framingArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ framing: 'length' as const }) },
  { weight: 2, arbitrary: fc.record({ framing: fc.constant('chunked' as const), chunkSize: fc.integer({ min: 1, max: 4096 }) }) },
);

const credentialArb = (validWeight: number): fc.Arbitrary<Credential> =>
  fc.oneof({ weight: validWeight, arbitrary: fc.constant('valid' as const) }, { weight: 1, arbitrary: fc.constantFrom('wrong' as const, 'none' as const) });

/** A mutated fixture as a body: JSON mostly; sometimes with invalid UTF-8 bytes or cut short. */
function jsonBodyArb(base: JsonNode, mutations: fc.Arbitrary<Mutation[]>): fc.Arbitrary<BodySpec> {
  return fc
    .record({
      mutations,
      bytes: fc.oneof(
        { weight: 10, arbitrary: fc.constant({}) },
        { weight: 1, arbitrary: fc.record({ invalidUtf8: fc.constantFrom(...INVALID_UTF8) }) },
        { weight: 1, arbitrary: fc.record({ truncate: fc.nat({ max: 2_000 }) }) },
      ),
    })
    .map(({ mutations, bytes }): BodySpec => ({ json: applyMutations(base, mutations), invalidUtf8: INVALID_UTF8[0]!, ...bytes }));
}

/** Bodies that are not JSON at all. */
const garbageBodyArb: fc.Arbitrary<BodySpec> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((bytes): BodySpec => ({ bytes: [...bytes] })),
  fc.string({ unit: 'binary', maxLength: 256 }).map((text): BodySpec => ({ bytes: [...Buffer.from(text)] })),
  fc.constantFrom('', ' ', 'null', '[]', '"x"', '0', '{', '{}', '{"a":1,}', 'a=1&b=2', '\uFEFF{}').map((text): BodySpec => ({ bytes: [...Buffer.from(text)] })),
);

/** A body over the limit (up to 2×): the gateway must answer 413 readably. Rare: each costs ~100 ms. */
function oversizedBodyArb(limit: number): fc.Arbitrary<BodySpec> {
  return fc.integer({ min: limit + 1, max: limit * 2 }).map((size): BodySpec => ({ json: { t: 'obj', entries: [['msgId', { t: 'huge', unit: 'a', count: size }]] } }));
}

// ---------------------------------------------------------------------------------------------
// Branches

function clevertapArb(context: GeneratorContext): fc.Arbitrary<FuzzCase> {
  const scope = 'clevertap';
  const fixtures = CLEVERTAP_FIXTURES.map(([, value]) => fromValue(value));
  const mutations = fc.array(mutationArb({ exclude: context.exclude, scope, maxBody: context.bodyLimitBytes }), { maxLength: 4 });
  const body: fc.Arbitrary<BodySpec> = fc.oneof(
    { weight: 60, arbitrary: fc.constantFrom(...fixtures).chain((fixture) => jsonBodyArb(fixture, mutations)) },
    { weight: 6, arbitrary: garbageBodyArb },
    ...(context.exclude.has(`${scope}:oversized`) ? [] : [{ weight: 1, arbitrary: oversizedBodyArb(context.bodyLimitBytes) }]),
  );
  const account = context.accountId;
  const path = fc.oneof(
    { weight: 20, arbitrary: fc.constant(`/v1/clevertap/${account}/messages`) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '/v1/clevertap/nosuch/messages',
        `/v1/clevertap/${encodeURIComponent(account).replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`)}/messages`,
        `/v1/clevertap/${account}/messages/`,
        `/v1/clevertap/${account}/messages?x=1&x=2`,
        `/v1/clevertap/${account}/MESSAGES`,
        '/v1/clevertap//messages',
        `/v1/clevertap/${'a'.repeat(101)}/messages`,
        `/v1/clevertap/${account}%2fmessages`,
      ),
    },
  );
  return fc
    .record({ path, body, type: contentTypeArb, framing: framingArb, auth: credentialArb(10), tag: msgIdTag })
    .map(({ path, body, type, framing, auth, tag }) => {
      const unique = 'json' in body ? { ...body, json: withMsgId(body.json, tag) } : body;
      const request: FuzzRequest = { method: 'POST', target: path, headers: type, body: unique, auth, ...framing };
      return { branch: `${scope}:${describeBody(unique, context.bodyLimitBytes)}`, steps: [request] };
    });
}

/** Most sends get a fresh msgId, so they are stored and sent rather than answered as duplicates. */
const msgIdTag = fc.option(fc.nat(), { freq: 4 });

function withMsgId(original: JsonNode, tag: number | null): JsonNode {
  if (tag === null || original.t !== 'obj') return original;
  // A copy: fast-check hands the same generated value to every shrink attempt.
  const node = clone(original) as typeof original;
  const inner = node.entries.length === 1 && node.entries[0]![0] === 'body' && node.entries[0]![1].t === 'obj' ? node.entries[0]![1] : node;
  for (const entry of inner.entries) {
    if (/^msg_?id$/i.test(entry[0]) && entry[1].t === 'str') entry[1] = { t: 'str', v: `${entry[1].v}|fz${tag}` };
  }
  return node;
}

function webhookArb(context: GeneratorContext): fc.Arbitrary<FuzzCase> {
  const scope = 'webhook';
  const fixtures = WEBHOOK_FIXTURES.map(([, value]) => fromValue(JSON.parse(JSON.stringify(value).replaceAll('106540352242922', context.phoneNumberId))));
  const mutations = fc.array(mutationArb({ exclude: context.exclude, scope, maxBody: context.bodyLimitBytes }), { maxLength: 4 });
  const body: fc.Arbitrary<BodySpec> = fc.oneof(
    { weight: 60, arbitrary: fc.constantFrom(...fixtures).chain((fixture) => jsonBodyArb(fixture, mutations)) },
    { weight: 6, arbitrary: garbageBodyArb },
    ...(context.exclude.has(`${scope}:oversized`) ? [] : [{ weight: 1, arbitrary: oversizedBodyArb(context.bodyLimitBytes) }]),
  );
  const coordinatesInRange = !context.exclude.has(`${scope}:location-out-of-range`);
  const post = fc
    .record({ body: coordinatesInRange ? body : body.filter((spec) => !('json' in spec) || !hasCoordinateOutOfRange(spec.json)), type: contentTypeArb, framing: framingArb, sign: credentialArb(12) })
    .map(({ body, type, framing, sign }): FuzzCase => ({
    branch: `${scope}:${describeBody(body, context.bodyLimitBytes)}`,
    steps: [{ method: 'POST', target: '/v1/whatsapp/webhook', headers: type, body, sign, ...framing }],
  }));
  return context.exclude.has(`${scope}:verify`) ? post : fc.oneof({ weight: 6, arbitrary: post }, { weight: 1, arbitrary: verifyArb(context) });
}

/** Whether a `latitude`/`longitude` anywhere holds a number (or numeric string) beyond ±90/±180. */
function hasCoordinateOutOfRange(node: JsonNode): boolean {
  if (node.t === 'arr') return node.items.some(hasCoordinateOutOfRange);
  if (node.t === 'deep') return hasCoordinateOutOfRange(node.inner);
  if (node.t !== 'obj') return false;
  return node.entries.some(([key, value]) => {
    const limit = key === 'latitude' ? 90 : key === 'longitude' ? 180 : undefined;
    if (limit !== undefined && (value.t === 'num' || value.t === 'str' || value.t === 'raw')) {
      const number = Number(value.t === 'raw' ? value.text : value.v);
      if (Number.isFinite(number) ? Math.abs(number) > limit : value.t === 'raw') return true;
    }
    return hasCoordinateOutOfRange(value);
  });
}

/** The subscription handshake, `GET /v1/whatsapp/webhook?hub.mode=&hub.verify_token=&hub.challenge=`. */
function verifyArb(context: GeneratorContext): fc.Arbitrary<FuzzCase> {
  const param = (name: string, values: fc.Arbitrary<string>) =>
    fc.oneof(
      { weight: 6, arbitrary: values.map((value) => [`${name}=${encodeURIComponent(value)}`]) },
      { weight: 1, arbitrary: fc.constant([] as string[]) },
      ...(context.exclude.has('webhook:verify-repeated') ? [] : [{ weight: 1, arbitrary: fc.tuple(values, values).map(([a, b]) => [`${name}=${encodeURIComponent(a)}`, `${name}=${encodeURIComponent(b)}`]) }]),
    );
  return fc
    .record({
      mode: param('hub.mode', fc.constantFrom('subscribe', 'unsubscribe', '', 'SUBSCRIBE')),
      token: param('hub.verify_token', fc.oneof(fc.constant('{{verifyToken}}'), fc.string({ maxLength: 40 }))),
      challenge: param('hub.challenge', fc.oneof(fc.stringMatching(/^\d{1,12}$/), fc.string({ unit: 'binary', maxLength: 200 }), fc.constant('<script>alert(1)</script>'))),
      extra: fc.array(fc.constantFrom('hub.mode[]=x', 'hub.verify_token[a]=b', '%zz', '&&', 'hub.challenge'), { maxLength: 2 }),
      method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD'),
    })
    .map(({ mode, token, challenge, extra, method }) => ({
      branch: 'webhook:verify',
      steps: [{ method, target: `/v1/whatsapp/webhook?${[...mode, ...token, ...challenge, ...extra].join('&')}`, headers: [] }],
    }));
}

/** Media ids: Meta's (digits), and anything a URL path can carry. */
const mediaIdArb = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^\d{1,20}$/) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }) },
  { weight: 1, arbitrary: fc.constantFrom('..', '.', '%2e%2e', 'a/b', '\u0000', ' ', 'x'.repeat(5_000)) },
);

function mediaArb(context: GeneratorContext): fc.Arbitrary<FuzzCase> {
  const signed: fc.Arbitrary<FuzzRequest> = fc
    .record({
      account: fc.oneof({ weight: 8, arbitrary: fc.constant(context.accountId) }, { weight: 1, arbitrary: fc.constantFrom('ghost', 'a.b', '', 'x'.repeat(65)) }),
      mediaId: mediaIdArb.filter((id) => id !== ''),
      expiresIn: fc.oneof(fc.integer({ min: 1, max: 7 * 86_400 }), fc.integer({ min: -86_400, max: -1 })),
      tamper: fc.constantFrom('none', 'none', 'signature', 'expiry', 'account', 'missing', 'repeated', 'media') as fc.Arbitrary<MediaSignature['tamper']>,
      method: fc.constantFrom('GET', 'GET', 'HEAD'),
    })
    .map(({ method, ...media }) => ({ method, target: '{{media}}', headers: [], media }));
  const unsigned: fc.Arbitrary<FuzzRequest> = fc
    .record({ id: mediaIdArb, query: fc.string({ unit: 'binary-ascii', maxLength: 200 }), method: fc.constantFrom('GET', 'HEAD', 'POST', 'DELETE') })
    .map(({ id, query, method }) => ({ method, target: `/v1/media/${encodeURIComponent(id)}?${encodeQuery(query)}`, headers: [] }));
  return fc.oneof({ weight: 3, arbitrary: signed }, { weight: 1, arbitrary: unsigned }).map((request) => ({ branch: 'media', steps: [request] }));
}

/** Characters Node refuses in a header value (so in a redirect's Location): controls and above U+00FF. */
const HEADER_UNSAFE = /[^\t\x20-\x7e\x80-\xff]/;

/** Destinations CleverTap might send for a tracked URL button, hostile ones included. */
const destinationArb = fc.oneof(
  { weight: 4, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('https://shop.example.com/'), fc.string({ unit: 'binary', maxLength: 200 })).map(([base, tail]) => base + tail) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'https://shop.example.com/a\r\nSet-Cookie: x=1',
      'https://shop.example.com/\u0000',
      'https://shop.example.com/é😀',
      'https://shop.example.com/\u202e',
      'https://shop.example.com/%0d%0aX: y',
      'http://[::1]/',
      'https://x/'.padEnd(8_000, 'a'),
    ),
  },
);

function clickArb(context: GeneratorContext): fc.Arbitrary<FuzzCase> {
  const userAgent = fc.oneof(
    { weight: 4, arbitrary: fc.constant<Array<[string, string]>>([['user-agent', 'Mozilla/5.0 (iPhone)']]) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 8_000 }).map((ua): Array<[string, string]> => [['user-agent', ua.replace(/[\r\n\0]/g, ' ')]]) },
    { weight: 1, arbitrary: fc.constant<Array<[string, string]>>([]) },
  );
  const unknown = fc
    .record({
      code: fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{6,32}$/), fc.string({ unit: 'grapheme', maxLength: 60 }).map(encodeURIComponent), fc.constantFrom('', '..', '%00', '%ff', 'a'.repeat(300))),
      method: fc.constantFrom('GET', 'GET', 'HEAD', 'POST'),
      headers: userAgent,
    })
    .map(({ code, method, headers }): FuzzCase => ({ branch: 'click:unknown', steps: [{ method, target: `/c/${code}`, headers }] }));
  if (context.exclude.has('click:tracked')) return unknown;

  // A send whose URL button carries a destination, then taps on the link the gateway made for it.
  const template = CLEVERTAP_FIXTURES.find(([name]) => name === 'template-file-header-multi-button.json')![1] as Record<string, unknown>;
  const tracked = fc
    .record({ destination: destinationArb, tag: fc.nat(), taps: fc.array(fc.record({ method: fc.constantFrom('GET', 'HEAD'), headers: userAgent }), { minLength: 1, maxLength: 2 }) })
    .filter(({ destination }) => !context.exclude.has('click:header-unsafe-url') || !HEADER_UNSAFE.test(destination))
    .map(({ destination, tag, taps }): FuzzCase => {
      const body = structuredClone(template);
      body['template'] = { ...(body['template'] as object), namespace: context.trackedTemplate };
      // Made unique when sent (see target.ts): a tap must find this send's link, not an older one.
      body['msgId'] = `fz|click|${tag}|{{unique}}`;
      for (const component of body['components'] as Array<Record<string, unknown>>) {
        if (component['subType'] === 'dynamicUrl') component['parameters'] = [{ type: 'text', text: destination }];
      }
      return {
        branch: 'click:tracked',
        steps: [
          { method: 'POST', target: `/v1/clevertap/${context.accountId}/messages`, headers: [['content-type', 'application/json']], body: { json: fromValue(body) }, auth: 'valid' },
          ...taps.map(({ method, headers }) => ({ method, target: '/c/{{clickCode}}', headers })),
        ],
      };
    });
  return fc.oneof({ weight: 2, arbitrary: unknown }, { weight: 1, arbitrary: tracked });
}

const PATH_WORDS = ['v1', 'clevertap', 'sandbox', 'messages', 'whatsapp', 'webhook', 'media', 'c', 'admin', '%61dmin', 'stats', 'templates', 'sync', 'healthz', 'readyz', 'metrics', '..', '.', '', '%2e%2e', '%2f', '%00', '%ff', '%', '%zz', ';', 'é', '%C3%A9', '~', '*'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'CONNECT', 'get', 'SEARCH'];

/** Request-targets a router must survive: odd segments, encodings, absolute form, length. */
function absurdArb(context: GeneratorContext): fc.Arbitrary<FuzzCase> {
  const segment = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...PATH_WORDS) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 20 }).map(encodeQuery) },
  );
  const target = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.array(segment, { maxLength: 8 }), fc.option(fc.string({ unit: 'binary-ascii', maxLength: 100 }).map(encodeQuery))).map(([segments, query]) => `/${segments.join('/')}${query === null ? '' : `?${query}`}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '*',
        'http://x/v1/admin/stats',
        'http://127.0.0.1/healthz',
        '//v1/admin/stats',
        '/v1/admin/stats?',
        '/v1/ADMIN/stats',
        '/v1/admin/./stats',
        '/v1/x/../admin/stats',
        '/healthz#x',
        `/v1/clevertap/${context.accountId}/messages?${'a=1&'.repeat(2_000)}`,
      ),
    },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 70_000 }).map((length) => `/${'a'.repeat(length)}`) },
  );
  const headers = fc.oneof(
    { weight: 6, arbitrary: fc.constant<Array<[string, string]>>([]) },
    { weight: 2, arbitrary: fc.array(fc.tuple(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,30}$/), fc.string({ unit: 'grapheme-ascii', maxLength: 100 }).map((v) => v.replace(/[\r\n\0]/g, ''))), { maxLength: 20 }) },
    { weight: 1, arbitrary: fc.integer({ min: 10, max: 2_000 }).map((count) => Array.from({ length: count }, (_, i): [string, string] => [`x-flood-${i}`, 'y'.repeat(20)])) },
  );
  const methods = METHODS.filter((method) => !context.exclude.has(`absurd:${method.toLowerCase()}`));
  return fc
    .record({ method: fc.constantFrom(...methods), target, headers, body: fc.option(garbageBodyArb, { freq: 3 }) })
    .map(({ method, target, headers, body }): FuzzCase => ({ branch: 'absurd', steps: [{ method, target, headers, ...(body === null ? {} : { body }) }] }));
}

/** Every branch, weighted towards the two endpoints that carry the load. */
export function fuzzCaseArb(context: GeneratorContext): fc.Arbitrary<FuzzCase> {
  const branches: Array<fc.WeightedArbitrary<FuzzCase>> = [
    { weight: 8, arbitrary: clevertapArb(context) },
    { weight: 5, arbitrary: webhookArb(context) },
    { weight: 2, arbitrary: mediaArb(context) },
    { weight: 2, arbitrary: clickArb(context) },
    { weight: 3, arbitrary: absurdArb(context) },
  ];
  return fc.oneof(...branches.filter(({ arbitrary }) => arbitrary !== undefined));
}

/** A short label of what is odd about a body, for the branch name. */
function describeBody(body: BodySpec, limit: number): string {
  if ('bytes' in body) return 'garbage';
  if (body.json.t === 'obj' && body.json.entries.length === 1 && body.json.entries[0]![1].t === 'huge' && body.json.entries[0]![1].count > limit) return 'oversized';
  const kinds = new Set<string>();
  const visit = (node: JsonNode): void => {
    if (node.t === 'huge' || node.t === 'deep' || node.t === 'many') kinds.add(node.t);
    if (node.t === 'arr') node.items.forEach(visit);
    if (node.t === 'obj') node.entries.forEach(([key, value]) => (PROTO_KEYS.includes(key) && kinds.add('proto'), visit(value)));
    if (node.t === 'deep') visit(node.inner);
  };
  visit(body.json);
  if (body.invalidUtf8 && JSON.stringify(body.json).includes(INVALID_UTF8_MARK)) kinds.add('badUtf8');
  if (body.truncate !== undefined) kinds.add('truncated');
  return kinds.size === 0 ? 'mutated' : [...kinds].sort().join('+');
}

/** Query text as it could appear on a request line: printable ASCII, no spaces or `#`. */
function encodeQuery(text: string): string {
  return text.replace(/[^\x21-\x7e]|#/g, (c) => encodeURIComponent(c));
}
