/**
 * @module http/api-reference
 * The OpenAPI document read back as a reference: operations grouped by tag, each with its
 * parameters, body and answers flattened to rows of dotted field paths (the same paths error
 * answers name). The HTML page at /docs and docs/admin-api.md both render this, so they cannot
 * disagree with each other or with /openapi.json.
 */
import type { OpenApiDocument, Operation } from './openapi.js';

export interface FieldRow {
  /** Dotted path (`clevertap.auth.token`, `data[].id`), or the parameter's name. */
  name: string;
  type: string;
  required: boolean;
  notes: string;
}

export interface ParameterRow extends FieldRow {
  in: string;
}

export interface BodyView {
  contentType: string;
  /** The component the body is, when it is one (e.g. `Problem`). */
  component?: string;
  fields: FieldRow[];
  example?: unknown;
}

export interface ResponseView {
  status: string;
  description: string;
  body?: BodyView;
}

export interface OperationView {
  method: string;
  path: string;
  operationId: string;
  summary: string;
  description: string;
  auth: string;
  parameters: ParameterRow[];
  body?: BodyView;
  responses: ResponseView[];
}

export interface TagView {
  name: string;
  description: string;
  operations: OperationView[];
}

export interface ApiReference {
  title: string;
  version: string;
  description: string;
  auth: string;
  tags: TagView[];
  /** The error answer's fields. */
  problem: FieldRow[];
}

const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete'];

export function apiReference(document: OpenApiDocument): ApiReference {
  const resolver = new Resolver(document);
  const tags = new Map<string, TagView>(document.tags.map((tag) => [tag.name, { ...tag, operations: [] }]));
  for (const [path, methods] of Object.entries(document.paths)) {
    const ordered = Object.entries(methods).sort(([a], [b]) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b));
    for (const [method, operation] of ordered) {
      const view = operationView(method, path, operation, resolver);
      const tag = operation.tags?.[0] ?? 'operations';
      if (!tags.has(tag)) tags.set(tag, { name: tag, description: '', operations: [] });
      tags.get(tag)!.operations.push(view);
    }
  }
  const scheme = Object.values(document.components.securitySchemes)[0] as { description?: string } | undefined;
  return {
    title: document.info.title,
    version: document.info.version,
    description: document.info.description,
    auth: scheme?.description ?? '',
    tags: [...tags.values()].filter((tag) => tag.operations.length > 0),
    problem: fieldRows(resolver.resolve({ $ref: '#/components/schemas/Problem' }), resolver),
  };
}

function operationView(method: string, path: string, operation: Operation, resolver: Resolver): OperationView {
  return {
    method: method.toUpperCase(),
    path,
    operationId: operation.operationId ?? '',
    summary: operation.summary ?? '',
    description: operation.description ?? '',
    auth: operation['x-auth'] ?? authOf(operation.security),
    parameters: (operation.parameters ?? []).map((raw) => {
      const parameter = resolver.resolve(raw) as { name: string; in: string; required?: boolean; description?: string; schema?: unknown };
      const schema = resolver.resolve(parameter.schema ?? {});
      return { name: parameter.name, in: parameter.in, type: typeOf(schema, resolver), required: parameter.required ?? false, notes: notesOf(schema, parameter.description) };
    }),
    ...(operation.requestBody ? { body: bodyView(operation.requestBody.content, resolver) } : {}),
    responses: Object.entries(operation.responses).map(([status, raw]) => {
      const response = resolver.resolve(raw) as { description?: string; content?: Record<string, Record<string, unknown>> };
      return { status, description: response.description ?? '', ...(response.content ? { body: bodyView(response.content, resolver) } : {}) };
    }),
  };
}

function authOf(security: Operation['security']): string {
  if (!security || security.length === 0) return 'none';
  const options = security.map((requirement) => Object.keys(requirement));
  if (options.some((names) => names.length === 0)) return 'bearer admin token, except for direct loopback callers';
  return 'bearer admin token (`Authorization: Bearer <admin.token>`)';
}

function bodyView(content: Record<string, Record<string, unknown>>, resolver: Resolver): BodyView {
  const [contentType, media] = Object.entries(content)[0] ?? ['application/json', {}];
  const ref = (media.schema as { $ref?: string } | undefined)?.$ref;
  const schema = resolver.resolve(media.schema ?? {}) as Schema;
  // A list answered bare (`[{...}]`): its items' fields, as `[].name`.
  const items = schema.type === 'array' && schema.items ? (resolver.resolve(schema.items) as Schema) : undefined;
  return {
    contentType,
    ...(ref ? { component: ref.replace(/^.*\//, '') } : {}),
    fields: items?.properties ? fieldRows(items, resolver, '[]') : fieldRows(schema, resolver),
    ...(media.example !== undefined ? { example: media.example } : {}),
  };
}

type Schema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  const?: unknown;
  enum?: unknown[];
  $ref?: string;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
};

/** One row per field, nested objects and arrays of objects flattened to dotted paths. */
export function fieldRows(schema: unknown, resolver: Resolver, prefix = '', condition = ''): FieldRow[] {
  const node = resolver.resolve(schema) as Schema;
  const rows: FieldRow[] = [];
  // A schema that contains itself would never end; no real body nests this deep.
  if (prefix.split('.').length > 8) return rows;
  for (const [name, raw] of Object.entries(node.properties ?? {})) {
    const child = resolver.resolve(raw) as Schema;
    const path = prefix ? `${prefix}.${name}` : name;
    rows.push({ name: path, type: typeOf(child, resolver), required: node.required?.includes(name) ?? false, notes: notesOf(child, undefined, condition) });
    rows.push(...nestedRows(child, resolver, path, condition));
  }
  return rows;
}

function nestedRows(child: Schema, resolver: Resolver, path: string, condition: string): FieldRow[] {
  if (child.properties) return fieldRows(child, resolver, path, condition);
  const items = child.items ? (resolver.resolve(child.items) as Schema) : undefined;
  if (items?.properties) return fieldRows(items, resolver, `${path}[]`, condition);
  const branches = (child.anyOf ?? child.oneOf ?? []).map((branch) => resolver.resolve(branch) as Schema).filter((branch) => branch.properties);
  return branches.flatMap((branch) => {
    const discriminator = Object.entries(branch.properties!).find(([, value]) => (resolver.resolve(value) as Schema).const !== undefined);
    const when = discriminator ? `when \`${discriminator[0]}\` is \`${String((resolver.resolve(discriminator[1]) as Schema).const)}\`` : '';
    return fieldRows(branch, resolver, path, [condition, when].filter(Boolean).join(', ')).filter((row) => !discriminator || row.name !== `${path}.${discriminator[0]}`);
  });
}

export function typeOf(raw: unknown, resolver: Resolver): string {
  const schema = raw as Schema;
  if (schema.$ref) return schema.$ref.replace(/^.*\//, '');
  const node = resolver.resolve(schema) as Schema;
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' \\| ');
  const branches = node.anyOf ?? node.oneOf;
  if (branches) {
    return branches
      .map((branch) => {
        const resolved = resolver.resolve(branch) as Schema;
        const kind = Object.entries(resolved.properties ?? {}).find(([, value]) => (value as Schema).const !== undefined);
        return kind ? `{${kind[0]}: ${String((kind[1] as Schema).const)}}` : typeOf(branch, resolver);
      })
      .join(' \\| ');
  }
  const type = Array.isArray(node.type) ? node.type.join(' \\| ') : node.type;
  if (type === 'array') return `array of ${node.items ? typeOf(node.items, resolver) : 'any'}`;
  if (type === 'object' && !node.properties && (node.patternProperties || typeof node.additionalProperties === 'object')) {
    const values = Object.values(node.patternProperties ?? {})[0] ?? (node.additionalProperties as Schema);
    return `map of ${typeOf(values, resolver)}`;
  }
  if ((type === 'integer' || type === 'number') && (node.minimum !== undefined || node.maximum !== undefined)) {
    return `${type} ${node.minimum ?? ''}…${node.maximum ?? ''}`;
  }
  if (type === 'string' && typeof node.format === 'string') return `string (${node.format})`;
  return type ?? 'any';
}

function notesOf(schema: Schema, description?: string, condition = ''): string {
  const notes = [
    condition,
    description ?? (typeof schema.description === 'string' ? schema.description : undefined),
    typeof schema.pattern === 'string' && schema.pattern.length <= 40 ? `matches \`${schema.pattern}\`` : undefined,
    typeof schema.minLength === 'number' && schema.minLength > 0 && schema.type === 'string' ? `at least ${schema.minLength} characters` : undefined,
    schema.default !== undefined ? `default \`${JSON.stringify(schema.default)}\`` : undefined,
    schema['x-secret'] ? 'secret: write-only, answered masked' : undefined,
  ];
  return notes.filter(Boolean).join('; ');
}

/** Follows local `$ref`s (`#/components/...`) within the document. */
export class Resolver {
  constructor(private readonly document: unknown) {}

  resolve(value: unknown): Record<string, unknown> {
    let current = value as Record<string, unknown>;
    for (let hops = 0; typeof current?.$ref === 'string' && hops < 10; hops++) {
      current = this.pointer(current.$ref as string) as Record<string, unknown>;
    }
    return current ?? {};
  }

  pointer(ref: string): unknown {
    if (!ref.startsWith('#/')) return undefined;
    let current: unknown = this.document;
    for (const part of ref.slice(2).split('/')) {
      const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
      current = current && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
    }
    return current;
  }
}
