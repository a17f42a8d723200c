#!/usr/bin/env node
/**
 * @module cli/main
 * The `wabridge` command.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config/load.js';
import { listEnvBindings } from '../config/env.js';
import { ConfigSchema } from '../config/schema.js';
import { redactSecrets } from '../config/secrets.js';
import { StoreUnavailableError } from '../store/store-unavailable.js';
import { startCommand } from './start.js';
// Types only (erased): the command's module still loads when it runs.
import type { SendTestOptions } from './send-test.js';

/** What every command's exit status means; shown at the end of every `--help`. */
const EXIT_CODES = `
Exit codes:
  0  done
  1  the operation failed (a refused account, a message not read, no gateway answering...)
  2  usage or configuration error (unknown option, missing argument, invalid configuration)`;

const USAGE_ERROR = 2;

const program = new Command()
  .name('wabridge')
  .description('WhatsApp gateway for CleverTap (Generic provider) on the WhatsApp Cloud API')
  .showHelpAfterError()
  // Commander's own errors (unknown option, missing argument) are thrown, so they exit 2, not 1.
  .exitOverride();

/** `--messages 200` and the like: a whole number from `min`, refused as a usage error otherwise. */
function wholeNumber(min: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) throw new InvalidArgumentError(`expected a whole number from ${min}, got "${raw}"`);
    return value;
  };
}

program
  .command('start')
  .description('run the gateway (sandbox mode with the built-in Meta simulator when nothing is configured)')
  .option('--workers <n>', 'gateway processes on this machine sharing its port: a number, or auto (one per core); more than 1 needs store.kind postgres and queue.kind bullmq', '1')
  .action((options: { workers: string }) => startCommand(options));

program
  .command('migrate')
  .description('apply the store\'s pending migrations and exit (run once per release when store.migrate is false)')
  .action(async () => {
    const { migrateCommand } = await import('./migrate.js');
    await migrateCommand();
  });

const config = program.command('config').description('inspect configuration');
config
  .command('check')
  .description('validate the configuration (WABRIDGE_CONFIG and the environment) and print it with secrets hidden')
  .action(() => {
    const loaded = loadConfig();
    process.stdout.write(JSON.stringify(redactSecrets(loaded), null, 2) + '\n');
  });
config
  .command('env')
  .description('list the environment variables that override configuration keys')
  .action(() => {
    for (const binding of listEnvBindings(ConfigSchema)) {
      process.stdout.write(`${binding.variable.padEnd(16)} ${binding.path.join('.')}${binding.description ? `  (${binding.description})` : ''}\n`);
    }
    process.stdout.write(`${'DATA_DIR'.padEnd(16)} store.path = $DATA_DIR/wabridge.db\n${'WABRIDGE_CONFIG'.padEnd(16)} the YAML or JSON config file\n`);
  });

const callbacks = program.command('callbacks').description('callbacks owed to CleverTap');
callbacks
  .command('dead-letters')
  .description('list callbacks CleverTap refused or that ran out of retries')
  .option('--limit <n>', 'how many, newest first', '50')
  .option('--json', 'machine-readable output')
  .action(async (options: { limit: string; json?: boolean }) => {
    const { listDeadLetters } = await import('./callbacks.js');
    await listDeadLetters({ limit: Number(options.limit) || 50, ...(options.json ? { json: true } : {}) });
  });
callbacks
  .command('replay')
  .description('queue dead-lettered callbacks again')
  .argument('[ids...]', 'dead-letter ids from `callbacks dead-letters`')
  .option('--all', 'every dead-lettered callback')
  .action(async (ids: string[], options: { all?: boolean }) => {
    const { replayDeadLetters } = await import('./callbacks.js');
    // Ids are the queue's own: numbers on SQL stores, BullMQ job ids on Redis.
    await replayDeadLetters(ids.filter((id) => id.trim() !== ''), options);
  });

const templates = program.command('templates').description('WhatsApp templates synced from Meta');
templates
  .command('sync')
  .description('read every template from WhatsApp now (through the running gateway, else into the data directory)')
  .option('--account <id>', 'only this account')
  .option('--json', 'machine-readable output')
  .action(async (options: { account?: string; json?: boolean }) => {
    const { syncTemplatesCommand } = await import('./templates.js');
    process.exitCode = await syncTemplatesCommand(options);
  });
templates
  .command('status')
  .description('how each account\'s template sync stands')
  .option('--json', 'machine-readable output')
  .action(async (options: { json?: boolean }) => {
    const { templateStatusCommand } = await import('./templates.js');
    process.exitCode = await templateStatusCommand(options);
  });

const STORE_CHANGES = 'A running gateway applies the change within about 2 s (it polls the store); no restart.';
const accounts = program
  .command('accounts')
  .description('accounts kept in the store (the ones the admin API and the console manage), changed through the store directly')
  .addHelpText('after', `\n${STORE_CHANGES}\nAccounts of the configuration file are listed read-only; edit the file to change them.`);
accounts
  .command('list')
  .description('every account: the configuration file\'s (read-only), then the stored ones; secrets masked')
  .option('--json', 'machine-readable output (the admin API\'s account views)')
  .action(async (options: { json?: boolean }) => {
    const { accountsListCommand } = await import('./accounts.js');
    process.exitCode = await accountsListCommand(options);
  });
accounts
  .command('add')
  .description('create an account from a file in the configuration file\'s account shape; checks its Graph credentials with Meta first')
  .requiredOption('--file <path>', 'the account, JSON or YAML (.yaml/.yml)')
  .option('--no-verify', 'save without checking the Graph credentials with Meta')
  .option('--json', 'machine-readable output (the saved account, or the errors)')
  .addHelpText('after', `\nA refused account exits 1 with one line per field at fault, named by its dotted path (e.g. whatsapp.accessToken).\n${STORE_CHANGES}`)
  .action(async (options: { file: string; verify: boolean; json?: boolean }) => {
    const { accountsAddCommand } = await import('./accounts.js');
    process.exitCode = await accountsAddCommand(options);
  });
accounts
  .command('verify')
  .description('check an account\'s Graph credentials with Meta now (GET /{phone-number-id} with its token)')
  .argument('<id>', 'the account id')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExits 1 when Meta refuses, naming the field to fix (whatsapp.accessToken, whatsapp.phoneNumberId, wabaNumber), or cannot be reached.')
  .action(async (id: string, options: { json?: boolean }) => {
    const { accountsVerifyCommand } = await import('./accounts.js');
    process.exitCode = await accountsVerifyCommand(id, options);
  });
accounts
  .command('remove')
  .description('delete a stored account: its endpoint answers 404; sends it accepted and callbacks it owes still go out')
  .argument('<id>', 'the account id')
  .option('--json', 'machine-readable output')
  .addHelpText('after', `\n${STORE_CHANGES}`)
  .action(async (id: string, options: { json?: boolean }) => {
    const { accountsRemoveCommand } = await import('./accounts.js');
    process.exitCode = await accountsRemoveCommand(id, options);
  });

program
  .command('send-test')
  .description('send one CleverTap-shaped message to a running gateway, print the request and the answer, and optionally wait until it is read')
  .requiredOption('--to <number>', 'the recipient, with its country code')
  .option('--template <name:lang>', 'a synced template and its language, e.g. order_ready:en_GB')
  .option('--param <value>', 'a body parameter of the template, in order (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
  .option('--text <text>', 'a free-form text message instead of a template')
  .option('--account <id>', 'the account to send from (default: the only one)')
  .option('--url <url>', 'the gateway (default: http://<server.host>:<server.port> of the configuration)')
  .option('--waba-number <number>', 'the sending number (default: the account\'s)')
  .option('--msg-id <id>', 'CleverTap\'s msgId (default: cli|<epoch ms>|<yyyymmdd>|1)')
  .option('--token <token>', 'the account\'s CleverTap bearer token (default: read from the configuration or the store)')
  .option('--wait', 'poll the gateway until the message is read or failed (exit 1 when it failed or was not read in time)')
  .option('--wait-seconds <n>', 'how long --wait waits', wholeNumber(1), 60)
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nRun on the gateway\'s machine, it reads the account\'s CleverTap credentials from the configuration or the store; elsewhere give --url and --token.')
  .action(async (options: SendTestOptions) => {
    const { sendTestCommand } = await import('./send-test.js');
    process.exitCode = await sendTestCommand(options);
  });

program
  .command('demo')
  .description('start a sandbox gateway with the built-in Meta and CleverTap simulators, run a small campaign, print CleverTap\'s funnel and the console URL')
  .option('--messages <n>', 'messages in the campaign', wholeNumber(1), 200)
  .option('--concurrency <n>', 'requests in flight, as CleverTap\'s sender keeps them', wholeNumber(1), 50)
  .option('--data-dir <dir>', 'keep the demo\'s data here (default: a temporary directory, removed on exit)')
  .option('--port <n>', 'the gateway\'s port (default: any free port)', wholeNumber(0))
  .option('--wait-seconds <n>', 'how long to wait for the delivery reports after the last send', wholeNumber(1), 60)
  .option('--exit', 'exit when the funnel is complete: 0 when every message was read, 1 otherwise')
  .option('--json', 'print the outcome as JSON (progress goes to stderr)')
  .addHelpText('after', '\nWithout --exit the gateway keeps running (console, admin API, CleverTap endpoint) until Ctrl-C.')
  .action(async (options: DemoCliOptions) => {
    const { demoCommand } = await import('./demo.js');
    process.exitCode = await demoCommand(options);
  });

const sim = program.command('sim').description('run a simulator standalone');
sim
  .command('meta')
  .description('the Meta WhatsApp Cloud API simulator (see src/sim/meta/README.md)')
  .allowUnknownOption()
  .helpOption(false)
  .argument('[options...]')
  .action(async (args: string[]) => {
    const { runMetaSimulatorCli } = await import('../sim/meta/cli.js');
    await runMetaSimulatorCli(args);
  });

sim
  .command('clevertap')
  .description('the CleverTap simulator: `serve` (callback receiver with funnels) or `campaign` (drive sends at the gateway)')
  .allowUnknownOption()
  .helpOption(false)
  .argument('[options...]')
  .action(async (args: string[]) => {
    const { runClevertapSimulatorCli } = await import('../sim/clevertap/cli.js');
    await runClevertapSimulatorCli(args);
  });


interface DemoCliOptions {
  messages: number;
  concurrency: number;
  dataDir?: string;
  port?: number;
  waitSeconds: number;
  exit?: boolean;
  json?: boolean;
}

// `afterAll`: at the end of every subcommand's help too.
program.addHelpText('afterAll', EXIT_CODES);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Commander printed the help or the problem already; `--help` is 0, anything else was a usage error.
    process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR);
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`wabridge: invalid configuration: ${error.message}\n`);
    process.exit(USAGE_ERROR);
  } else if (error instanceof StoreUnavailableError) {
    // An operator's problem (read-only, locked, full): the message says it all, a stack would bury it.
    process.stderr.write(`wabridge: ${error.message}\n`);
  } else {
    process.stderr.write(`wabridge: ${(error as Error).stack ?? error}\n`);
  }
  process.exit(1);
});
