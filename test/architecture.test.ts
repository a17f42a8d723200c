/**
 * The layering rules of docs/architecture (and ../shared/design/architecture.md), checked on the
 * import statements of every production file: a rule broken here fails the build instead of
 * waiting for a reviewer to notice.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/process.js';

const SRC = path.join(REPO_ROOT, 'src');

/** Which top-level folders of src/ each folder may import from (itself always allowed). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  domain: [],
  clevertap: ['domain'],
  whatsapp: ['domain'],
  store: ['domain', 'queue'],
  queue: ['domain', 'store'],
  cluster: [],
  // config: the resolved account's type (config/accounts.ts) is what intakes are given.
  pipeline: ['domain', 'clevertap', 'whatsapp', 'store', 'queue', 'cluster', 'config'],
  http: ['domain', 'clevertap', 'whatsapp', 'store', 'queue', 'pipeline', 'config'],
  config: ['domain', 'clevertap', 'whatsapp'],
  sim: ['domain', 'clevertap', 'whatsapp'],
  // The metrics know nothing of the gateway: pipeline/, store/ and http/ declare the observer
  // they call and never import observability/; compose/observability.ts joins the two.
  observability: [],
  // The accounts the gateway runs, live: composed by compose/, never imported by pipeline/ or http/.
  accounts: ['domain', 'whatsapp', 'store', 'config', 'cluster'],
};

function productionFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return productionFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.conformance.ts') && !name.includes('test-support') ? [full] : [];
  });
}

/** The src/ folders a file imports from, by relative specifier (type-only imports included). */
function importedFolders(file: string): Array<{ folder: string; specifier: string }> {
  const text = readFileSync(file, 'utf8');
  const found: Array<{ folder: string; specifier: string }> = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const specifier = match[1] ?? match[2]!;
    if (!specifier.startsWith('.')) continue;
    const target = path.resolve(path.dirname(file), specifier);
    const relative = path.relative(SRC, target);
    if (relative.startsWith('..')) {
      found.push({ folder: '../' + relative.split(path.sep).slice(1, 2).join(''), specifier });
      continue;
    }
    found.push({ folder: relative.split(path.sep)[0]!, specifier });
  }
  return found;
}

describe('architecture', () => {
  const files = productionFiles(SRC);

  it('finds the production files', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  for (const [folder, allowed] of Object.entries(MAY_IMPORT)) {
    it(`${folder}/ imports only from ${allowed.length ? allowed.join(', ') : 'nothing of ours'}`, () => {
      const offending: string[] = [];
      for (const file of files.filter((candidate) => path.relative(SRC, candidate).split(path.sep)[0] === folder)) {
        for (const { folder: target, specifier } of importedFolders(file)) {
          if (target !== folder && !allowed.includes(target)) offending.push(`${path.relative(REPO_ROOT, file)} imports ${specifier}`);
        }
      }
      expect(offending).toEqual([]);
    });
  }

  it('no production file imports test code', () => {
    const offending = files.flatMap((file) =>
      importedFolders(file)
        .filter(({ specifier }) => /(^|\/)test\//.test(path.relative(REPO_ROOT, path.resolve(path.dirname(file), specifier))))
        .map(({ specifier }) => `${path.relative(REPO_ROOT, file)} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });
});
