/**
 * @module test/fuzz/json-text
 * A JSON syntax tree that can say what `JSON.stringify` cannot: duplicate keys, `__proto__` as an
 * ordinary key, number spellings (`1e400`, `-0`, `0012`), strings of 300,000 characters and
 * nesting 100,000 levels deep, without building any of them until the body is written out.
 * Fuzz cases are made of these nodes so fast-check can shrink a huge input as a few small numbers
 * (a length, a depth) and a fixture file stays readable.
 */

export type JsonNode =
  | { t: 'null' }
  | { t: 'bool'; v: boolean }
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  /** Written verbatim: number spellings JSON.stringify never produces, or deliberately broken tokens. */
  | { t: 'raw'; text: string }
  | { t: 'arr'; items: JsonNode[] }
  /** Entries, not a map: keys may repeat and `__proto__` is just a key. */
  | { t: 'obj'; entries: Array<[string, JsonNode]> }
  /** A string of `unit` repeated `count` times. */
  | { t: 'huge'; unit: string; count: number }
  /** `inner` wrapped in `depth` arrays (`[[[…]]]`) or objects (`{"a":{"a":…}}`). */
  | { t: 'deep'; depth: number; open: '[' | '{'; inner: JsonNode }
  /** An array of `item` repeated `count` times. */
  | { t: 'many'; item: JsonNode; count: number };

/**
 * Stands for bytes that are not UTF-8 inside a string: U+E000 (private use) never occurs in the
 * fixtures, and {@link toBytes} replaces its encoding with the case's invalid sequence.
 */
export const INVALID_UTF8_MARK = '\uE000';
const MARK_BYTES = Buffer.from(INVALID_UTF8_MARK, 'utf8');

export function fromValue(value: unknown): JsonNode {
  if (value === null || value === undefined) return { t: 'null' };
  if (typeof value === 'boolean') return { t: 'bool', v: value };
  if (typeof value === 'number') return { t: 'num', v: value };
  if (typeof value === 'string') return { t: 'str', v: value };
  if (Array.isArray(value)) return { t: 'arr', items: value.map(fromValue) };
  return { t: 'obj', entries: Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, fromValue(inner)]) };
}

/** The JSON text of `node`. Iterates for `deep`, so no depth overflows the writer's own stack. */
export function toText(node: JsonNode): string {
  switch (node.t) {
    case 'null':
      return 'null';
    case 'bool':
      return String(node.v);
    case 'num':
      return Number.isFinite(node.v) ? JSON.stringify(node.v) : String(node.v);
    case 'str':
      return JSON.stringify(node.v);
    case 'raw':
      return node.text;
    case 'arr':
      return `[${node.items.map(toText).join(',')}]`;
    case 'obj':
      return `{${node.entries.map(([key, value]) => `${JSON.stringify(key)}:${toText(value)}`).join(',')}}`;
    case 'huge':
      return `"${JSON.stringify(node.unit).slice(1, -1).repeat(node.count)}"`;
    case 'deep': {
      const inner = toText(node.inner);
      return node.open === '[' ? `${'['.repeat(node.depth)}${inner}${']'.repeat(node.depth)}` : `${'{"a":'.repeat(node.depth)}${inner}${'}'.repeat(node.depth)}`;
    }
    case 'many':
      return node.count === 0 ? '[]' : `[${`${toText(node.item)},`.repeat(node.count - 1)}${toText(node.item)}]`;
  }
}

/** The body's bytes, with every {@link INVALID_UTF8_MARK} replaced by `invalid` (when given). */
export function toBytes(node: JsonNode, invalid?: readonly number[]): Buffer {
  const bytes = Buffer.from(toText(node), 'utf8');
  if (!invalid || bytes.indexOf(MARK_BYTES) === -1) return bytes;
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf(MARK_BYTES); at !== -1; at = bytes.indexOf(MARK_BYTES, from)) {
    parts.push(bytes.subarray(from, at), Buffer.from(invalid));
    from = at + MARK_BYTES.length;
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}

/** A place in the tree a mutation can act on: a value, and how to replace or remove it. */
export interface Slot {
  node: JsonNode;
  replace(next: JsonNode): void;
  /** Removes the value (and its key); absent for the root. */
  remove?(): void;
  /** Adds a sibling entry after it; only for values inside an object. */
  addSibling?(key: string, value: JsonNode): void;
  /** Renames its key; only for values inside an object. */
  rename?(transform: (key: string) => string): void;
  key?: string;
}

/** Every value in `root` in pre-order (the root first), as slots over the (mutable) tree. */
export function slots(root: { node: JsonNode }): Slot[] {
  const found: Slot[] = [];
  const visit = (slot: Slot) => {
    found.push(slot);
    const node = slot.node;
    if (node.t === 'arr') {
      node.items.forEach((item, index) =>
        visit({
          node: item,
          replace: (next) => (node.items[index] = next),
          remove: () => node.items.splice(node.items.indexOf(item), 1),
        }),
      );
    } else if (node.t === 'obj') {
      node.entries.forEach((entry) =>
        visit({
          node: entry[1],
          key: entry[0],
          replace: (next) => (entry[1] = next),
          remove: () => node.entries.splice(node.entries.indexOf(entry), 1),
          addSibling: (key, value) => node.entries.splice(node.entries.indexOf(entry) + 1, 0, [key, value]),
          rename: (transform) => (entry[0] = transform(entry[0])),
        }),
      );
    }
  };
  visit({ node: root.node, replace: (next) => (root.node = next) });
  return found;
}

export function clone(node: JsonNode): JsonNode {
  return structuredClone(node);
}
