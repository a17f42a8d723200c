/**
 * @module sim/meta/cli
 * `wabridge sim meta`: runs the simulator as a standalone process with demo-friendly defaults,
 * so a gateway on the same machine can be pointed at it with no Meta account.
 */
import { parseArgs } from 'node:util';
import { startMetaSimulator, type ChaosOptions, type MetaSimulator } from './index.js';

export const CLI_DEFAULTS = {
  port: 4010,
  host: '127.0.0.1',
  accessToken: 'sim-access-token',
  appSecret: 'sim-app-secret',
  phoneNumberId: '106540352242922',
  displayPhoneNumber: '15550783881',
  wabaId: '102290129340398',
  mps: 80,
} as const;

const USAGE = `Usage: wabridge sim meta [options]

Runs a local Meta WhatsApp Cloud API simulator.

  --port <n>                  listen port (default ${CLI_DEFAULTS.port}; 0 = ephemeral)
  --host <addr>               listen address (default ${CLI_DEFAULTS.host})
  --access-token <token>      Bearer token the Graph endpoints accept (default ${CLI_DEFAULTS.accessToken})
  --app-secret <secret>       key for X-Hub-Signature-256 on webhooks (default ${CLI_DEFAULTS.appSecret})
  --phone-number-id <id>      sending phone number id (default ${CLI_DEFAULTS.phoneNumberId})
  --display-phone-number <n>  its display number (default ${CLI_DEFAULTS.displayPhoneNumber})
  --waba-id <id>              WhatsApp Business Account id (default ${CLI_DEFAULTS.wabaId})
  --webhook-url <url>         where status webhooks are POSTed (settable later: PUT /_sim/webhook-url)
  --mps <n>                   messages per second for the number (default ${CLI_DEFAULTS.mps})
  --http-status-mode <mode>   observed (default) or documented
  --no-pair-limit             disable the 131056 pair rate limit
  --chaos <json>              chaos knobs, e.g. '{"duplicateRate":0.1,"seed":7}' (settable later: PUT /_sim/chaos)
  -h, --help                  show this help
`;

export interface CliIo {
  out: (line: string) => void;
  /** Install SIGINT/SIGTERM handlers that close the simulator (default true). */
  handleSignals?: boolean;
}

/** Starts the simulator from command-line arguments and prints where it listens. */
export async function runMetaSimulatorCli(
  argv: string[],
  io: CliIo = { out: (l) => process.stdout.write(l + '\n') },
): Promise<MetaSimulator | undefined> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'access-token': { type: 'string' },
      'app-secret': { type: 'string' },
      'phone-number-id': { type: 'string' },
      'display-phone-number': { type: 'string' },
      'waba-id': { type: 'string' },
      'webhook-url': { type: 'string' },
      mps: { type: 'string' },
      'http-status-mode': { type: 'string' },
      'no-pair-limit': { type: 'boolean' },
      chaos: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(USAGE);
    return undefined;
  }
  const port = intOption(values.port, CLI_DEFAULTS.port, 'port');
  const mps = intOption(values.mps, CLI_DEFAULTS.mps, 'mps');
  const mode = values['http-status-mode'] ?? 'observed';
  if (mode !== 'observed' && mode !== 'documented') throw new Error('--http-status-mode must be observed or documented');
  const phone = {
    phoneNumberId: values['phone-number-id'] ?? CLI_DEFAULTS.phoneNumberId,
    displayPhoneNumber: values['display-phone-number'] ?? CLI_DEFAULTS.displayPhoneNumber,
    wabaId: values['waba-id'] ?? CLI_DEFAULTS.wabaId,
    messagesPerSecond: mps,
  };
  const accessToken = values['access-token'] ?? CLI_DEFAULTS.accessToken;
  const chaos = values.chaos === undefined ? undefined : chaosOption(values.chaos);
  const sim = await startMetaSimulator({
    host: values.host ?? CLI_DEFAULTS.host,
    port,
    accessToken,
    appSecret: values['app-secret'] ?? CLI_DEFAULTS.appSecret,
    phoneNumbers: [phone],
    httpStatusMode: mode,
    pairRateLimit: !values['no-pair-limit'],
    ...(values['webhook-url'] ? { webhookUrl: values['webhook-url'] } : {}),
    ...(chaos ? { chaos } : {}),
  });

  io.out(`Meta Cloud API simulator listening on ${sim.url}`);
  io.out(`  Graph base URL:   ${sim.graphBaseUrl}`);
  io.out(`  access token:     ${accessToken}`);
  io.out(`  phone number id:  ${phone.phoneNumberId} (display ${phone.displayPhoneNumber}, ${mps} mps)`);
  io.out(`  WABA id:          ${phone.wabaId}`);
  io.out(`  webhook URL:      ${values['webhook-url'] ?? '(none; PUT /_sim/webhook-url to set)'}`);
  io.out(`  control API:      ${sim.url}/_sim/stats`);

  if (io.handleSignals !== false) {
    const stop = () => {
      // Webhooks still being retried must not keep a stopped simulator alive.
      setTimeout(() => process.exit(0), 2000).unref();
      void sim.close().finally(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  return sim;
}

function chaosOption(raw: string): ChaosOptions {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('--chaos must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('--chaos must be a JSON object');
  return parsed as ChaosOptions;
}

function intOption(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}
