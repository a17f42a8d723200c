/**
 * The `Authorization` header a sandbox gateway's admin API (and `/metrics`, for callers off
 * loopback) requires: the admin token sandbox mode generates when none is configured. An
 * in-process gateway hands it over as `sandboxSecrets`; a gateway in another process keeps it in
 * `sandbox-secrets.json` beside its SQLite file, where the CLI reads it too.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SandboxSecrets } from '../../src/gateway.js';

export function sandboxAdminAuth(gateway: { sandboxSecrets?: SandboxSecrets }): { authorization: string } {
  if (!gateway.sandboxSecrets) throw new Error('not a sandbox gateway: it has no generated admin token');
  return { authorization: `Bearer ${gateway.sandboxSecrets.adminToken}` };
}

/** The same header for a gateway running in another process, whose data directory is `dataDir`. */
export function sandboxAdminAuthIn(dataDir: string): { authorization: string } {
  const secrets = JSON.parse(readFileSync(path.join(dataDir, 'sandbox-secrets.json'), 'utf8')) as SandboxSecrets;
  return { authorization: `Bearer ${secrets.adminToken}` };
}
