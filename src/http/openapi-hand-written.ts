/**
 * @module http/openapi-hand-written
 * OpenAPI operations for the routes that declare no fastify schema: CleverTap's and Meta's
 * endpoints read their raw bytes themselves (CleverTap's payload variants are parsed leniently,
 * Meta's body is signed), and the probes answer fixed bodies. Keyed by `METHOD url` as fastify
 * registered it; the document uses an entry only when that route exists. Shapes and examples
 * follow the contract fixtures (test/fixtures/).
 */

/** An OpenAPI 3.1 Operation Object, as much of it as the gateway uses. */
export interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  deprecated?: boolean;
  security?: Array<Record<string, string[]>>;
  /** Who may call it, when that is not the admin token: the account's CleverTap credentials, Meta's signature... */
  'x-auth'?: string;
  parameters?: Array<Record<string, unknown>>;
  requestBody?: { required?: boolean; description?: string; content: Record<string, Record<string, unknown>> };
  responses: Record<string, unknown>;
}

const PROBLEM = { $ref: '#/components/schemas/Problem' };
const problem = (description: string) => ({ description, content: { 'application/json': { schema: PROBLEM } } });
const json = (description: string, schema: unknown, example?: unknown) => ({
  description,
  content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } },
});

const ACCOUNT_ID = { name: 'accountId', in: 'path', required: true, description: 'the account id in the gateway', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } };

const CLEVERTAP_AUTH =
  'Authenticated with the credentials configured on the account (`clevertap.auth`): Basic user/password, a bearer token, or custom header pairs, as entered in CleverTap\'s provider form.';

const CLEVERTAP_FAILURE = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { enum: ['success', 'failure'] },
    error: {
      type: 'object',
      properties: {
        code: { type: 'integer', description: '2000 invalid credentials, 2001 invalid template parameters, 2002 invalid phone number, 2003 phone number not subscribed, 2004 other' },
        message: { type: 'string' },
      },
    },
  },
};

const CLEVERTAP_MESSAGE = {
  type: 'object',
  description: "CleverTap's send payload (template or freeform). Read leniently: `msgId` or `msg_id`, numbers as strings or numbers, the whole body possibly wrapped in an array.",
  required: ['to', 'wabaNumber', 'isTemplate'],
  properties: {
    payloadVersion: { type: 'number' },
    to: { type: 'string', description: 'recipient, with or without country code and `+`' },
    wabaNumber: { type: 'string', description: 'the sending WhatsApp business number; must be the account\'s' },
    msgId: { type: 'string', description: 'CleverTap\'s message id, `<campaign>|<…>|<date>|<…>`; echoed in every callback' },
    isTemplate: { type: 'boolean' },
    template: { type: 'object', properties: { namespace: { type: 'string', description: 'the template name' }, languageCode: { type: 'string' } } },
    components: { type: 'array', items: { type: 'object' }, description: 'template header, body and button parameters' },
    type: { enum: ['text', 'image', 'video', 'audio', 'file'], description: 'freeform message type' },
    text: { type: 'object', properties: { body: { type: 'string' } } },
  },
};

const TEMPLATE_EXAMPLE = {
  payloadVersion: 0.1,
  to: '919999999999',
  wabaNumber: '919888888888',
  isTemplate: true,
  msgId: '17|906|20241114|17',
  template: { namespace: 'order_shipped', languageCode: 'en' },
  components: [{ type: 'body', body: { text: 'Hi Ana, order 4411 is on its way', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: '4411' }] } }],
};

const STATUS_WEBHOOK_EXAMPLE = {
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '919888888888', phone_number_id: '106540352242922' },
            statuses: [{ id: 'wamid.HBgMOTE5OTk5OTk5OTk5FQIAERgSQUJDREVGMDEyMzQ1Njc4OQA=', status: 'delivered', timestamp: '1750030073', recipient_id: '919999999999' }],
          },
        },
      ],
    },
  ],
};

const PROBE = (values: string[]) => ({ type: 'object', required: ['status'], properties: { status: { enum: values } } });

export const HAND_WRITTEN_OPERATIONS: Readonly<Record<string, Operation>> = {
  'POST /v1/clevertap/:accountId/messages': {
    summary: "Send a WhatsApp message (CleverTap's messaging endpoint)",
    description: `${CLEVERTAP_AUTH} CleverTap reads the body only on HTTP 200, so every per-message problem is a 200 with \`status: failure\` and a 2000–2004 code. The message is stored before the answer; its statuses come back on the account's delivery report URL.`,
    tags: ['clevertap'],
    'x-auth': "the account's CleverTap credentials (`clevertap.auth`)",
    parameters: [ACCOUNT_ID],
    requestBody: { required: true, content: { 'application/json': { schema: CLEVERTAP_MESSAGE, example: TEMPLATE_EXAMPLE } } },
    responses: {
      '200': json('accepted (`{"status":"success"}`), or refused with a CleverTap error code', CLEVERTAP_FAILURE, { status: 'failure', error: { code: 2000, message: 'Invalid Credentials' } }),
      '400': problem('the body is empty or not JSON'),
      '404': problem('no account has this id'),
      '413': problem('the body is larger than server.bodyLimitBytes'),
      '429': json('shedding load: CleverTap retries later', { type: 'object', properties: { message: { const: 'Too many requests to process' } } }),
      '500': json('the message could not be stored', CLEVERTAP_FAILURE, { status: 'failure', error: { message: 'Unable to process the request' } }),
    },
  },
  'GET /v1/clevertap/:accountId/templates': {
    summary: "List the account's approved templates (CleverTap's template import)",
    description: `${CLEVERTAP_AUTH} Answers from the synced template catalogue in Meta's own \`message_templates\` listing format, paged with \`limit\` and \`after\`.`,
    tags: ['clevertap'],
    'x-auth': "the account's CleverTap credentials (`clevertap.auth`)",
    parameters: [
      ACCOUNT_ID,
      { name: 'limit', in: 'query', required: false, description: 'page size, 1 to 500 (default 50)', schema: { type: 'integer', minimum: 1, maximum: 500 } },
      { name: 'after', in: 'query', required: false, description: 'the cursor `paging.cursors.after` of the previous page', schema: { type: 'string' } },
    ],
    responses: {
      '200': json("a page of templates in Meta's format", {
        type: 'object',
        properties: {
          data: { type: 'array', items: { type: 'object' } },
          paging: { type: 'object', properties: { cursors: { type: 'object' }, next: { type: 'string' } } },
        },
      }),
      '400': json("the cursor is not one this endpoint issued (Meta's error format)", { type: 'object', properties: { error: { type: 'object' } } }),
      '401': problem('missing or wrong credentials'),
      '404': problem('no account has this id'),
      '503': problem("the account's templates have not been synced from WhatsApp yet"),
    },
  },
  'GET /v1/whatsapp/webhook': {
    summary: "Verify the webhook (Meta's subscription handshake)",
    description: 'Meta calls this once when the webhook URL is saved in the App Dashboard; the verify token must be one configured on an account.',
    tags: ['meta'],
    'x-auth': "an account's webhook verify token (`hub.verify_token`)",
    parameters: [
      { name: 'hub.mode', in: 'query', required: true, schema: { const: 'subscribe' } },
      { name: 'hub.verify_token', in: 'query', required: true, description: "an account's `whatsapp.webhookVerifyToken`", schema: { type: 'string' } },
      { name: 'hub.challenge', in: 'query', required: true, description: 'echoed back', schema: { type: 'string' } },
    ],
    responses: {
      '200': { description: 'the challenge, as given', content: { 'text/plain': { schema: { type: 'string' } } } },
      '400': problem('a parameter was given more than once'),
      '403': problem('hub.mode is not subscribe or the verify token matches no account'),
    },
  },
  'POST /v1/whatsapp/webhook': {
    summary: "Receive Meta's webhook (statuses, inbound messages, template updates)",
    description: "Signed by Meta with the app secret (`X-Hub-Signature-256` over the raw body). Stored before the answer; statuses and inbound messages go on to the account's CleverTap callback URLs.",
    tags: ['meta'],
    'x-auth': "Meta's signature with an account's app secret (`X-Hub-Signature-256`)",
    parameters: [{ name: 'X-Hub-Signature-256', in: 'header', required: true, description: '`sha256=<hex HMAC of the body with the app secret>`', schema: { type: 'string' } }],
    requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { object: { type: 'string' }, entry: { type: 'array', items: { type: 'object' } } } }, example: STATUS_WEBHOOK_EXAMPLE } } },
    responses: {
      '200': json('received (items the gateway cannot understand are kept under /v1/admin/webhook-rejects)', { type: 'object' }),
      '401': problem('missing or invalid X-Hub-Signature-256'),
      '413': problem('the body is larger than server.bodyLimitBytes'),
    },
  },
  'GET /v1/media/:mediaId': {
    summary: 'Download inbound media',
    description: "The signed link given to CleverTap in inbound-message callbacks; the gateway fetches the file from Meta with the account's token, which CleverTap never sees. HEAD answers the headers only.",
    tags: ['meta'],
    'x-auth': "the link's signature (`a`, `e`, `s`)",
    parameters: [
      { name: 'mediaId', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'a', in: 'query', required: true, description: 'account id', schema: { type: 'string' } },
      { name: 'e', in: 'query', required: true, description: 'expiry (Unix seconds)', schema: { type: 'string' } },
      { name: 's', in: 'query', required: true, description: 'signature', schema: { type: 'string' } },
    ],
    responses: {
      '200': { description: 'the file, with its content type', content: { 'application/octet-stream': { schema: { type: 'string', contentEncoding: 'binary' } } } },
      '403': problem('missing, expired or wrong signature'),
      '404': problem('the account is gone, or Meta no longer has the media (kept for 7 days)'),
      '502': problem('Meta refused or failed the download'),
    },
  },
  'GET /c/:code': {
    summary: 'Follow a click-tracked link',
    description: 'Redirects to the real destination at once and reports the click to CleverTap.',
    tags: ['meta'],
    'x-auth': 'none',
    parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9]{6,32}$' } }],
    responses: {
      '302': { description: 'to the destination', headers: { Location: { schema: { type: 'string', format: 'uri' } } } },
      '404': problem('unknown link, or its destination is not a valid http(s) URL'),
    },
  },
  'GET /healthz': {
    summary: 'Liveness: the process answers',
    tags: ['operations'],
    'x-auth': 'none',
    responses: { '200': json('alive', PROBE(['ok']), { status: 'ok' }) },
  },
  'GET /readyz': {
    summary: 'Readiness: accepting and sending',
    description: 'Not ready while starting, while stopping, and while the store cannot write; a load balancer should send traffic elsewhere meanwhile.',
    tags: ['operations'],
    'x-auth': 'none',
    responses: {
      '200': json('ready', PROBE(['ready']), { status: 'ready' }),
      '503': json('starting, stopping, or the store cannot write (`reason` says why)', {
        type: 'object',
        required: ['status'],
        properties: { status: { enum: ['starting', 'unavailable', 'draining'] }, reason: { type: 'string' } },
      }),
    },
  },
  'GET /metrics': {
    summary: 'Prometheus metrics',
    description: 'Metric names are prefixed `wabridge_`. Served without the token to direct loopback callers, with `admin.token` otherwise.',
    tags: ['operations'],
    security: [{}, { adminToken: [] }],
    responses: {
      '200': { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
      '401': { $ref: '#/components/responses/Unauthorized' },
      '403': { $ref: '#/components/responses/Forbidden' },
    },
  },
};
