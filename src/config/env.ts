/**
 * @module config/env
 * Environment overrides come from the schema: any property annotated `env: 'NAME'` is set from
 * that variable, converted to the property's type. One list of variables, never out of date.
 */
import type { TSchema } from 'typebox';

interface AnnotatedSchema {
  type?: string;
  env?: string;
  properties?: Record<string, AnnotatedSchema>;
}

export interface EnvBinding {
  variable: string;
  path: string[];
  type: string | undefined;
  description?: string;
}

/** Every environment variable the schema declares, with the config path it sets. */
export function listEnvBindings(schema: TSchema): EnvBinding[] {
  const found: EnvBinding[] = [];
  const visit = (node: AnnotatedSchema & { description?: string }, at: string[]) => {
    if (node.env) found.push({ variable: node.env, path: at, type: node.type, description: node.description });
    for (const [key, child] of Object.entries(node.properties ?? {})) visit(child, [...at, key]);
  };
  visit(schema as AnnotatedSchema, []);
  return found;
}

export function applyEnvOverrides(schema: TSchema, target: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const binding of listEnvBindings(schema)) {
    const raw = env[binding.variable];
    if (raw === undefined || raw === '') continue;
    let node = target;
    for (const key of binding.path.slice(0, -1)) {
      const next = node[key];
      node = (next && typeof next === 'object' ? next : (node[key] = {})) as Record<string, unknown>;
    }
    const leaf = binding.path[binding.path.length - 1]!;
    node[leaf] = binding.type === 'integer' || binding.type === 'number' ? (/^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw) : raw;
  }
}
