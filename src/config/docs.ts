/**
 * @module config/docs
 * Renders the configuration reference (docs/configuration.md) from the schema itself, so the
 * documentation cannot fall behind the code. `test/configuration-doc.test.ts` checks the file.
 */
import type { TSchema } from 'typebox';

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  const?: unknown;
  default?: unknown;
  description?: string;
  env?: string;
  secret?: boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

export interface ConfigKeyDoc {
  key: string;
  type: string;
  default: string;
  env: string;
  description: string;
}

export function describeConfigKeys(schema: TSchema): ConfigKeyDoc[] {
  const rows: ConfigKeyDoc[] = [];
  const visit = (node: SchemaNode, key: string, required: boolean) => {
    if (node.properties) {
      for (const [name, child] of Object.entries(node.properties)) {
        visit(child, key ? `${key}.${name}` : name, node.required?.includes(name) ?? false);
      }
      return;
    }
    if (node.type === 'array' && node.items?.properties) {
      visit(node.items, `${key}[]`, required);
      return;
    }
    const notes = [node.description, node.secret ? 'secret: never logged' : undefined, required && node.default === undefined ? 'required' : undefined];
    rows.push({
      key,
      type: typeOf(node),
      default: node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``,
      env: node.env ? `\`${node.env}\`` : '',
      description: notes.filter(Boolean).join('; '),
    });
  };
  visit(schema as SchemaNode, '', true);
  return rows;
}

function typeOf(node: SchemaNode): string {
  if (node.anyOf) {
    if (node.anyOf.every((branch) => branch.const !== undefined)) return node.anyOf.map((branch) => `\`${String(branch.const)}\``).join(' \\| ');
    return node.anyOf.map((branch) => (branch.properties?.['kind']?.const ? `{kind: ${String(branch.properties['kind'].const)}}` : typeOf(branch))).join(' \\| ');
  }
  if (node.const !== undefined) return `\`${String(node.const)}\``;
  if (node.type === 'integer' && (node.minimum !== undefined || node.maximum !== undefined)) {
    return `integer ${node.minimum ?? ''}…${node.maximum ?? ''}`;
  }
  if (node.type === 'object') return 'map';
  return node.type ?? 'any';
}

export function renderConfigurationTable(schema: TSchema): string {
  const lines = ['| key | type | default | environment | notes |', '|---|---|---|---|---|'];
  for (const row of describeConfigKeys(schema)) {
    lines.push(`| \`${row.key}\` | ${row.type} | ${row.default} | ${row.env} | ${row.description.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n') + '\n';
}
