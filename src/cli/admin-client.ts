/**
 * @module cli/admin-client
 * How a command on the gateway's machine reaches that gateway's admin API: the URL it listens on
 * and the token it wants. The token is `admin.token` when configured; a sandbox without one
 * requires the token it generated, kept in `sandbox-secrets.json` beside the data, so the
 * command reads it there as it reads the sandbox's other secrets.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dataDirOf, type SandboxSecrets } from '../compose/sandbox.js';
import type { Config } from '../config/schema.js';

/** The sandbox's secrets as the gateway on this machine made them; undefined outside sandbox mode or before its first start. */
export function sandboxSecrets(config: Config): SandboxSecrets | undefined {
  if (config.mode !== 'sandbox') return undefined;
  const file = path.join(dataDirOf(config), 'sandbox-secrets.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SandboxSecrets) : undefined;
}

/** The admin API's token for the gateway `config` describes, or undefined when it has none (production, loopback only). */
export function localAdminToken(config: Config): string | undefined {
  return config.admin.token ?? sandboxSecrets(config)?.adminToken;
}

/** The `Authorization` header for that gateway's admin API, or no header at all. */
export function adminHeaders(config: Config): Record<string, string> {
  const token = localAdminToken(config);
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Where that gateway answers on this machine: a wildcard listen address is reached on loopback. */
export function localGatewayUrl(config: Config): string {
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
}
