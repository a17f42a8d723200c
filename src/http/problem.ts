/**
 * @module http/problem
 * Every 4xx/5xx outside the CleverTap contract has one shape: `{"message": <one sentence saying
 * what was wrong>, "errors": [{"field": <dotted path>, "message": ...}]}`, `errors` empty when no
 * field of the request is at fault. A form (the console, an operator's script) shows each entry
 * next to its field. CleverTap's own contract bodies (src/clevertap/) are not built here.
 */
import type { FastifyReply } from 'fastify';
import Type, { type Static } from 'typebox';

export const FieldErrorSchema = Type.Object(
  {
    field: Type.String({ description: 'dotted path of the field at fault, e.g. `whatsapp.accessToken` or `accounts[0].id`' }),
    message: Type.String({ description: 'what is wrong with it' }),
  },
  { additionalProperties: false },
);

export const ProblemSchema = Type.Object(
  {
    message: Type.String({ description: 'one sentence saying what was wrong' }),
    errors: Type.Array(FieldErrorSchema, { description: 'one entry per field at fault; empty when no field is' }),
  },
  { additionalProperties: false, description: 'the error answer of every endpoint outside the CleverTap contract' },
);

export type FieldError = Static<typeof FieldErrorSchema>;
export type Problem = Static<typeof ProblemSchema>;

/** The problem body as JSON text, for writers that do not go through fastify (the fast route, raw sockets). */
export function problemBody(message: string, errors: readonly FieldError[] = []): string {
  return JSON.stringify({ message, errors });
}

export function problem(reply: FastifyReply, status: number, message: string, errors: readonly FieldError[] = []): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(problemBody(message, errors));
}

/** An Ajv error as fastify attaches it to a validation failure (`error.validation`). */
export interface SchemaViolation {
  keyword: string;
  instancePath: string;
  /** Where in the schema, e.g. `#/properties/clevertap/properties/auth/anyOf/1/properties/token/minLength`. */
  schemaPath?: string;
  message?: string;
  params: Record<string, unknown>;
}

const CONTEXTS: Record<string, string> = {
  body: 'the request body',
  querystring: 'the query string',
  params: 'the URL',
  headers: 'the request headers',
};

/**
 * The answer to a request fastify's schema validation refused: 422 for a body (it was read, and a
 * field of it is wrong), 400 for the query string, path or headers. Each field at fault becomes
 * an entry with its dotted path (`/whatsapp/accessToken` → `whatsapp.accessToken`, a missing
 * required property named in full, array items as `[0]`); the message leads with the first.
 */
export function validationProblem(violations: readonly SchemaViolation[], context: string | undefined): { status: 400 | 422; message: string; errors: FieldError[] } {
  const errors: FieldError[] = [];
  let whole: string | undefined;
  for (const violation of withoutUnionNoise(violations)) {
    const field = fieldPathOf(violation);
    const message = violationMessage(violation);
    if (field === '') whole ??= message;
    else if (!errors.some((error) => error.field === field && error.message === message)) errors.push({ field, message });
  }
  const where = CONTEXTS[context ?? ''] ?? 'the request';
  const first = errors[0];
  const detail = first ? `${first.field} ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}` : `it ${whole ?? 'does not match its schema'}`;
  return { status: context === 'body' ? 422 : 400, message: `${where} is not valid: ${detail}`, errors };
}

/**
 * A value matching no alternative of a union gets one error per alternative, then the union's
 * own. An alternative that failed on a field's value (`clevertap.auth.token` too short) is the
 * one the caller meant, not those that merely miss properties (`username`, `headers`): keep that
 * one's errors, or else only the union's.
 */
function withoutUnionNoise(violations: readonly SchemaViolation[]): SchemaViolation[] {
  let kept = [...violations];
  for (const union of violations.filter((violation) => violation.keyword === 'anyOf' || violation.keyword === 'oneOf')) {
    if (!union.schemaPath) continue;
    const prefix = `${union.schemaPath}/`;
    const branchOf = (violation: SchemaViolation) => (violation.schemaPath?.startsWith(prefix) ? violation.schemaPath.slice(prefix.length).split('/')[0] : undefined);
    const telling = kept.find((violation) => branchOf(violation) !== undefined && (violation.instancePath !== union.instancePath || !SHAPE_KEYWORDS.has(violation.keyword)));
    const chosen = telling ? branchOf(telling) : undefined;
    kept = kept.filter((violation) => (chosen === undefined ? branchOf(violation) === undefined : violation !== union && (branchOf(violation) ?? chosen) === chosen));
  }
  return kept;
}

/** Keywords by which an object fails an alternative it was not meant for. */
const SHAPE_KEYWORDS = new Set(['required', 'const', 'type', 'additionalProperties', 'enum']);

export function fieldPathOf(violation: SchemaViolation): string {
  const parts = violation.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const named = violation.params.missingProperty ?? violation.params.additionalProperty;
  if ((violation.keyword === 'required' || violation.keyword === 'additionalProperties' || violation.keyword === 'dependentRequired') && typeof named === 'string') parts.push(named);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function violationMessage(violation: SchemaViolation): string {
  switch (violation.keyword) {
    case 'required':
    case 'dependentRequired':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'anyOf':
    case 'oneOf':
      return 'matches none of the allowed shapes';
    case 'const':
      return `must be ${JSON.stringify(violation.params.allowedValue)}`;
    case 'enum':
      return `must be one of ${(violation.params.allowedValues as unknown[] | undefined)?.map((value) => JSON.stringify(value)).join(', ') ?? 'the allowed values'}`;
    default:
      return violation.message ?? 'is not valid';
  }
}
