// Rewrites the generated part of docs/configuration.md from the configuration schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigurationTable } from '../src/config/docs.js';
import { ConfigSchema } from '../src/config/schema.js';

const file = new URL('../docs/configuration.md', import.meta.url);
const BEGIN = '<!-- BEGIN GENERATED: npx tsx scripts/render-configuration-doc.ts -->';
const END = '<!-- END GENERATED -->';
const text = readFileSync(file, 'utf8');
const start = text.indexOf(BEGIN);
const end = text.indexOf(END);
if (start < 0 || end < start) throw new Error('docs/configuration.md lacks the generated-section markers');
writeFileSync(file, text.slice(0, start + BEGIN.length) + '\n' + renderConfigurationTable(ConfigSchema) + text.slice(end));
