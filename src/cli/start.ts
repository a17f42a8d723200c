/**
 * @module cli/start
 * `wabridge start`: load the configuration, start the gateway, print what to paste into
 * CleverTap, and shut down cleanly on SIGINT/SIGTERM (in-flight sends settle; anything not
 * yet sent stays queued for the next start).
 */
import { ConfigError, loadConfig } from '../config/load.js';
import { startGateway, type Gateway } from '../gateway.js';
import { WEBHOOK_PATH } from '../http/routes/whatsapp-webhook.js';
import { isWorker, parseWorkers, runPrimary, workerIndex, workersRefusal } from './workers.js';

export async function startCommand(options: { workers?: string } = {}): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`wabridge: invalid configuration: ${error.message}\n`);
      process.exit(2); // a configuration error, as `wabridge --help` documents
    }
    throw error;
  }
  if (!isWorker()) {
    let workers: number;
    try {
      workers = parseWorkers(options.workers ?? '1');
    } catch (error) {
      process.stderr.write(`wabridge: ${(error as Error).message}\n`);
      process.exit(2);
    }
    if (workers > 1) {
      const refusal = workersRefusal(config);
      if (refusal) {
        process.stderr.write(`wabridge: cannot start ${workers} workers: ${refusal}\n`);
        process.exit(1);
      }
      return runPrimary(workers);
    }
  }
  const gateway = await startGateway(config);
  // With several workers, one banner is enough.
  if ((workerIndex() ?? 0) === 0) process.stdout.write(banner(gateway, config.server.publicBaseUrl, config.mode, Boolean(config.admin.token)));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await gateway.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function banner(gateway: Gateway, publicBaseUrl: string | undefined, mode: string, adminTokenConfigured: boolean): string {
  const base = publicBaseUrl ?? gateway.url;
  const lines = ['', `wabridge is running in ${mode} mode on ${gateway.url}`, ''];
  for (const account of gateway.accounts) {
    lines.push(`Account "${account.id}" (WhatsApp number ${account.wabaNumber}${account.simulated ? ', built-in Meta simulator' : ''})`);
    lines.push(`  CleverTap HTTP Endpoint:  ${base}/v1/clevertap/${account.id}/messages`);
    const auth = account.clevertap.auth;
    // Only the sandbox's generated token is shown: a production token must not end up in a terminal log.
    if (auth.kind === 'bearer' && mode === 'sandbox') lines.push(`  Authorization header:     Authorization: Bearer ${auth.token}`);
    else if (auth.kind === 'bearer') lines.push('  Authorization header:     Authorization: Bearer <token from your configuration>');
    if (auth.kind === 'basic') lines.push(`  Basic authentication:     username ${auth.username}, password from your configuration`);
    if (auth.kind === 'headers') lines.push(`  Headers:                  ${Object.keys(auth.headers).join(', ')} (values from your configuration)`);
    lines.push(`  Template import URL:      ${base}/v1/clevertap/${account.id}/templates  (same credentials)`);
    if (!account.simulated) lines.push(`  Meta webhook callback:    ${base}${WEBHOOK_PATH}`);
    if (auth.kind === 'bearer' && account.simulated) {
      lines.push('  Try it:');
      lines.push(`    curl -s ${gateway.url}/v1/clevertap/${account.id}/messages -H 'Authorization: Bearer ${auth.token}' \\`);
      lines.push(`      -H 'Content-Type: application/json' -d @test/fixtures/clevertap/requests/template-image-dynamic-url.json`);
    }
    lines.push('');
  }
  // The sandbox's generated admin token opens the console (its #token= is read once and dropped from the URL).
  const generatedAdminToken = adminTokenConfigured ? undefined : gateway.sandboxSecrets?.adminToken;
  if (generatedAdminToken) {
    lines.push(`Console:                    ${gateway.url}/#token=${generatedAdminToken}`);
    lines.push(`Admin API token:            Authorization: Bearer ${generatedAdminToken}`, '');
  } else {
    lines.push(`Console:                    ${base}/  (admin token: ${adminTokenConfigured ? 'admin.token from your configuration' : 'none configured, served to this machine only'})`, '');
  }
  if (gateway.simulator) lines.push(`Built-in Meta Cloud API simulator: ${gateway.simulator.url} (sent messages: ${gateway.simulator.url}/_sim/stats)`, '');
  return lines.join('\n') + '\n';
}
