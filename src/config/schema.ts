/**
 * @module config/schema
 * The one configuration schema. The config file, the environment overrides (the `env`
 * annotation), secret redaction in logs (the `secret` annotation) and docs/configuration.md
 * all derive from it.
 */
import Type, { type Static } from 'typebox';

const PHONE_DIGITS = '^\\+?[0-9][0-9 \\-]{5,18}$';
const HTTP_URL = '^https?://[^\\s]+$';
const POSTGRES_URL = '^postgres(ql)?://[^\\s]+$';
const REDIS_URL = '^rediss?://[^\\s]+$';

export const ClevertapAuthSchema = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal('basic'),
        username: Type.String({ minLength: 1 }),
        password: Type.String({ minLength: 1, secret: true }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('bearer'),
        token: Type.String({ minLength: 1, secret: true, description: 'accepted with or without the `Bearer ` prefix' }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('headers'),
        headers: Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }), {
          minProperties: 1,
          secret: true,
          description: 'every header must match; names are case-insensitive (e.g. Kaleyra `api-key` + `sid`)',
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'how CleverTap authenticates to this account' },
);

export const AccountSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'appears in the endpoint URL' }),
    wabaNumber: Type.String({ pattern: PHONE_DIGITS, description: 'the WhatsApp business number; one account per number' }),
    defaultCountryCode: Type.Optional(
      Type.String({ pattern: '^[1-9][0-9]{0,3}$', description: 'prepended to recipient numbers given without a country code' }),
    ),
    clevertap: Type.Object(
      {
        auth: ClevertapAuthSchema,
        deliveryReportUrl: Type.Optional(Type.String({ pattern: HTTP_URL })),
        inboundMessageUrl: Type.Optional(Type.String({ pattern: HTTP_URL })),
        languageOverrides: Type.Optional(
          Type.Record(Type.String(), Type.String(), { description: 'CleverTap language string → Meta language code' }),
        ),
        stopKeywords: Type.Array(Type.String({ minLength: 1 }), { default: ['STOP', 'UNSUBSCRIBE'], description: 'a user writing one of these opts out of template messages' }),
        startKeywords: Type.Array(Type.String({ minLength: 1 }), { default: ['START'], description: 'a user writing one of these opts back in' }),
        accountId: Type.Optional(Type.String({ minLength: 1, description: 'CleverTap project id, to set MSG-whatsapp=false on opt-out through the Upload API' })),
        passcode: Type.Optional(Type.String({ minLength: 1, secret: true, description: 'CleverTap project passcode for the Upload API' })),
        region: Type.Optional(Type.String({ pattern: '^[a-z0-9-]+$', description: 'CleverTap region, e.g. in1, us1, eu1, sg1' })),
        clickTracking: Type.Object(
          {
            enabled: Type.Boolean({ default: false, description: 'track taps on URL buttons whose parameter CleverTap sends as a whole URL' }),
            baseUrl: Type.Optional(
              Type.String({ pattern: HTTP_URL, description: 'the click-tracking domain the templates use (https://t.example.com); default server.publicBaseUrl' }),
            ),
          },
          { additionalProperties: false, default: {} },
        ),
        allowPrivateCallbackTargets: Type.Boolean({
          default: false,
          description: 'production mode refuses callback and media targets on loopback, private or link-local addresses unless this is true',
        }),
        uploadApiUrl: Type.Optional(Type.String({ pattern: HTTP_URL, description: 'override of https://{region}.api.clevertap.com/1/upload' })),
        probeNumbers: Type.Array(Type.String({ pattern: PHONE_DIGITS }), {
          default: ['+919870369294'],
          description:
            'recipients CleverTap sends a template to when one is saved in its dashboard: such sends are validated and answered, never sent to WhatsApp (the default is the number in CleverTap\'s own examples)',
        }),
      },
      { additionalProperties: false },
    ),
    whatsapp: Type.Object(
      {
        graphBaseUrl: Type.Optional(
          Type.String({ pattern: HTTP_URL, description: 'default https://graph.facebook.com/v23.0; the built-in simulator in sandbox mode' }),
        ),
        phoneNumberId: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z_-]{1,64}$' })),
        wabaId: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z_-]{1,64}$' })),
        accessToken: Type.Optional(Type.String({ minLength: 1, secret: true })),
        appSecret: Type.Optional(Type.String({ minLength: 1, secret: true })),
        webhookVerifyToken: Type.Optional(Type.String({ minLength: 1, secret: true })),
        messagesPerSecond: Type.Integer({ minimum: 1, maximum: 10_000, default: 80 }),
        maxInFlight: Type.Integer({ minimum: 1, maximum: 4096, default: 64, description: 'concurrent Graph requests per number' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('sandbox'), Type.Literal('production')], {
      default: 'sandbox',
      env: 'WABRIDGE_MODE',
      description: 'sandbox wires accounts without Graph credentials to the built-in Meta simulator; required in a configuration file (the default only when there is none)',
    }),
    server: Type.Object(
      {
        host: Type.String({ default: '0.0.0.0', env: 'HOST', description: 'default 127.0.0.1 in sandbox mode (its secrets are printed), 0.0.0.0 in production' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, env: 'PORT' }),
        publicBaseUrl: Type.Optional(
          Type.String({ pattern: HTTP_URL, env: 'PUBLIC_BASE_URL', description: 'how CleverTap and Meta reach this gateway' }),
        ),
        mediaSigningSecret: Type.Optional(
          Type.String({
            minLength: 16,
            secret: true,
            env: 'MEDIA_SIGNING_SECRET',
            description: 'HMAC key for the inbound media URLs given to CleverTap; changing it invalidates URLs already sent (generated in sandbox mode)',
          }),
        ),
        mediaUrlTtlMs: Type.Integer({ minimum: 60_000, default: 7 * 24 * 3600_000, description: 'how long a media URL given to CleverTap works (Meta keeps inbound media 7 days)' }),
        bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024, default: 256 * 1024 }),
        backlog: Type.Integer({ minimum: 128, default: 4096, description: 'listen backlog; CleverTap opens 1,500 connections at once' }),
        listenDuplicates: Type.Integer({
          minimum: 0,
          maximum: 1024,
          default: 128,
          description: 'extra descriptors of the listening socket, each accepting on its own: Node 20 accepts one connection per event-loop turn per descriptor (0 = just the one)',
        }),
        shedLoadAtLagMs: Type.Integer({
          minimum: 10,
          default: 300,
          description: 'answer 429 while the event loop runs this late at two samples in a row (sustained overload; CleverTap gives up after 1 s)',
        }),
        shedRequestsOlderThanMs: Type.Integer({
          minimum: 50,
          maximum: 10_000,
          default: 800,
          description: 'answer 429 to a request that has waited this long since its headers arrived (too late for CleverTap\'s 1 s)',
        }),
        maxConnections: Type.Integer({
          minimum: 10,
          default: 3_000,
          description:
            'connections open at once beyond which a new connection\'s CleverTap requests get 429 and it is closed: at most this many requests wait, so at 5,000 answers/s none waits over 0.6 s (CleverTap opens up to 1,500)',
        }),
        requestTimeoutMs: Type.Integer({
          minimum: 1_000,
          maximum: 600_000,
          default: 30_000,
          description: 'a request (headers and body) not received completely within this is answered 408 and its connection closed',
        }),
        headersTimeoutMs: Type.Integer({
          minimum: 1_000,
          maximum: 600_000,
          default: 10_000,
          description: 'the same for the request line and headers alone (capped at requestTimeoutMs); idle keep-alive connections close after 75 s',
        }),
        maxPendingAccepts: Type.Integer({
          minimum: 1,
          default: 20_000,
          description: 'requests waiting for a durable commit beyond which new ones get 429',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    admin: Type.Object(
      {
        token: Type.Optional(
          Type.String({
            minLength: 16,
            secret: true,
            env: 'ADMIN_TOKEN',
            description:
              'bearer token every admin API caller must present (Authorization: Bearer …); sandbox mode generates one when unset (kept in sandbox-secrets.json, printed in the start banner); in production mode without it the admin API answers only direct loopback connections that carry no proxy headers',
          }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    store: Type.Object(
      {
        kind: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')], {
          default: 'sqlite',
          description: 'sqlite: one process, one file (embedded mode); postgres: any number of replicas share one database (scale-out, with queue.kind bullmq)',
        }),
        path: Type.String({
          minLength: 1,
          default: './data/wabridge.db',
          env: 'STORE_PATH',
          description: 'the SQLite file; its directory also keeps sandbox-secrets.json (with postgres too)',
        }),
        synchronous: Type.Union([Type.Literal('normal'), Type.Literal('full')], {
          default: 'normal',
          description: 'SQLite: normal survives process crashes (kill -9); full also survives power loss, at a throughput cost',
        }),
        url: Type.Optional(
          Type.String({
            pattern: POSTGRES_URL,
            secret: true,
            env: 'DATABASE_URL',
            description: 'postgres: the connection URL (postgres://user:password@host:5432/database); required when store.kind is postgres',
          }),
        ),
        migrate: Type.Boolean({
          default: true,
          description: 'postgres: apply pending migrations at start (false: run `wabridge migrate` before starting); SQLite always migrates when it opens',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    queue: Type.Object(
      {
        kind: Type.Union([Type.Literal('embedded'), Type.Literal('bullmq')], {
          default: 'embedded',
          description: 'embedded: jobs wait in the store\'s own table (one process); bullmq: jobs wait in Redis, shared by every replica (needs store.kind postgres)',
        }),
        redisUrl: Type.Optional(
          Type.String({
            pattern: REDIS_URL,
            secret: true,
            env: 'REDIS_URL',
            description: 'bullmq: the Redis URL (redis://:password@host:6379/0, rediss:// for TLS); required when queue.kind is bullmq',
          }),
        ),
        prefix: Type.String({
          pattern: '^[A-Za-z0-9_.:-]{1,64}$',
          default: 'wabridge',
          description: 'bullmq: the prefix of every Redis key, so several gateways (or other applications) can share one Redis',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    dispatcher: Type.Object(
      {
        leaseMs: Type.Integer({ minimum: 1000, default: 30_000, description: 'how long a send may be in flight before it is presumed lost' }),
        uncertainHoldMs: Type.Integer({
          minimum: 0,
          default: 120_000,
          description: 'after a crash mid-send, wait this long for a status webhook proving the send before resending',
        }),
        maxAttempts: Type.Integer({ minimum: 1, default: 12 }),
        maxAgeMs: Type.Integer({ minimum: 1000, default: 24 * 3600_000, description: 'give up retrying a send after this long' }),
      },
      { additionalProperties: false, default: {} },
    ),
    callbacks: Type.Object(
      {
        maxAgeMs: Type.Integer({ minimum: 1000, default: 72 * 3600_000, description: 'dead-letter a callback CleverTap has not accepted after this long' }),
        retryScheduleMs: Type.Optional(
          Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1, description: 'delays after consecutive failures of an endpoint; default Svix: 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h' }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    templates: Type.Object(
      {
        syncEveryMs: Type.Integer({
          minimum: 60_000,
          default: 15 * 60_000,
          description: 'how often each account\'s templates are re-read from WhatsApp (status changes also arrive by webhook)',
        }),
        preflight: Type.Boolean({
          default: true,
          description: 'check every template send against the synced template and answer a mismatch at once with 2001',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    retention: Type.Object(
      {
        messagesDays: Type.Integer({
          minimum: 2,
          default: 30,
          description: 'messages in a final state are forgotten this long after their last change; later status webhooks for them are dropped',
        }),
        deliveredCallbacksDays: Type.Integer({ minimum: 1, default: 7, description: 'callbacks CleverTap accepted are kept this long (undelivered ones are never removed)' }),
        deadLettersDays: Type.Integer({ minimum: 1, default: 30, description: 'dead-lettered sends and callbacks not replayed by then are removed' }),
        inboundMessagesDays: Type.Integer({
          minimum: 8,
          default: 30,
          description: 'how long received message ids are remembered to drop Meta\'s retried webhooks (Meta retries for up to 7 days)',
        }),
        clickLinksDays: Type.Integer({ minimum: 1, default: 90, description: 'click-tracking short links stop redirecting after this long' }),
        everyMs: Type.Integer({ minimum: 60_000, default: 3600_000, description: 'how often old records are removed' }),
      },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
          { default: 'info', env: 'LOG_LEVEL' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    sandbox: Type.Object(
      {
        simulatorPort: Type.Integer({ minimum: 0, maximum: 65535, default: 0, description: 'port of the built-in Meta simulator (0 = any free port)' }),
      },
      { additionalProperties: false, default: {} },
    ),
    accounts: Type.Array(AccountSchema, { default: [] }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type AccountConfig = Static<typeof AccountSchema>;
export type StoreConfig = Config['store'];
export type QueueConfig = Config['queue'];
