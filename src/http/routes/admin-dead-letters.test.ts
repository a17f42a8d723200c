import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { adminDeadLettersRoutes, type DeadLetter } from './admin-dead-letters.js';

const TOKEN = 'admin-token-for-dead-letters';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('dead-letter admin routes', () => {
  let app: FastifyInstance;
  let dead: DeadLetter[];
  const replays: Array<readonly string[] | 'all'> = [];

  beforeAll(async () => {
    dead = [
      { id: '7', accountId: 'acme', kind: 'dlr', msgId: '1|2|20261208|1', url: 'https://wzrkt.example', attempts: 5, deadAt: 1_700_000_000_000, reason: 'HTTP 422: unknown msgId' },
      { id: '6', accountId: 'acme', kind: 'imo', url: 'https://wzrkt.example', attempts: 5, deadAt: 1_699_999_000_000, reason: 'connect ECONNREFUSED' },
    ];
    app = Fastify();
    // Like the gateway's app: bodies arrive as bytes.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    await app.register(adminDeadLettersRoutes, {
      token: TOKEN,
      deadLetters: {
        list: async (limit) => dead.slice(0, limit),
        replay: async (ids) => {
          replays.push(ids);
          const found = ids === 'all' ? dead.length : ids.filter((id) => dead.some((letter) => letter.id === id)).length;
          return { replayed: found, notFound: ids === 'all' ? 0 : ids.length - found };
        },
      },
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('lists dead letters, newest first, up to limit', async () => {
    const all = await app.inject({ method: 'GET', url: '/v1/admin/callbacks/dead-letters', headers: auth });
    expect(all.statusCode).toBe(200);
    expect(all.json().data.map((letter: DeadLetter) => letter.id)).toEqual(['7', '6']);
    const one = await app.inject({ method: 'GET', url: '/v1/admin/callbacks/dead-letters?limit=1', headers: auth });
    expect(one.json().data).toEqual([dead[0]]);
  });

  it('refuses a limit out of range', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/admin/callbacks/dead-letters?limit=0', headers: auth });
    expect(response.statusCode).toBe(400);
  });

  it('replays some by id, saying how many were not found, or all', async () => {
    const some = await app.inject({ method: 'POST', url: '/v1/admin/callbacks/dead-letters/replay', headers: { ...auth, 'content-type': 'application/json' }, payload: { ids: ['7', '99'] } });
    expect(some.statusCode).toBe(200);
    expect(some.json()).toEqual({ replayed: 1, notFound: 1 });
    const all = await app.inject({ method: 'POST', url: '/v1/admin/callbacks/dead-letters/replay', headers: { ...auth, 'content-type': 'application/json' }, payload: { all: true } });
    expect(all.json()).toEqual({ replayed: 2, notFound: 0 });
    expect(replays).toEqual([['7', '99'], 'all']);
  });

  it.each([
    [{}, 'ids'],
    [{ ids: [] }, 'ids'],
    [{ ids: [7] }, 'ids'],
    [{ all: false }, 'all'],
    [{ all: true, ids: ['7'] }, 'all'],
  ])('answers 422 naming the field for %j', async (payload, field) => {
    const response = await app.inject({ method: 'POST', url: '/v1/admin/callbacks/dead-letters/replay', headers: { ...auth, 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(422);
    if (Object.keys(payload).length > 0) expect(response.json().errors[0].field).toBe(field);
  });

  it('answers 400 for a body that is not JSON, and 401 without the token', async () => {
    const garbled = await app.inject({ method: 'POST', url: '/v1/admin/callbacks/dead-letters/replay', headers: { ...auth, 'content-type': 'application/json' }, payload: '{' });
    expect(garbled.statusCode).toBe(400);
    const anonymous = await app.inject({ method: 'POST', url: '/v1/admin/callbacks/dead-letters/replay', headers: { 'content-type': 'application/json' }, payload: { all: true } });
    expect(anonymous.statusCode).toBe(401);
    expect(replays).toHaveLength(1 + 1);
  });
});
