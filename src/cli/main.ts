#!/usr/bin/env node
/**
 * @module cli/main
 * The `wabridge` command.
 */
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.js';
import { listEnvBindings } from '../config/env.js';
import { ConfigSchema } from '../config/schema.js';
import { redactSecrets } from '../config/secrets.js';
import { StoreUnavailableError } from '../store/store-unavailable.js';
import { startCommand } from './start.js';

const program = new Command()
  .name('wabridge')
  .description('WhatsApp gateway for CleverTap (Generic provider) on the WhatsApp Cloud API')
  .showHelpAfterError();

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

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`wabridge: invalid configuration: ${error.message}\n`);
  } else if (error instanceof StoreUnavailableError) {
    // An operator's problem (read-only, locked, full): the message says it all, a stack would bury it.
    process.stderr.write(`wabridge: ${error.message}\n`);
  } else {
    process.stderr.write(`wabridge: ${(error as Error).stack ?? error}\n`);
  }
  process.exit(1);
});
