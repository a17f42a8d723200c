import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigurationTable } from '../src/config/docs.js';
import { ConfigSchema } from '../src/config/schema.js';

describe('docs/configuration.md', () => {
  it('contains the key table rendered from the schema (run scripts/render-configuration-doc.ts after changing it)', () => {
    const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const table = renderConfigurationTable(ConfigSchema);
    expect(doc).toContain(table);
    expect(table).toContain('| `server.port` | integer 0…65535 | `8080` | `PORT` |');
    expect(table).toContain('`accounts[].whatsapp.messagesPerSecond`');
  });
});
