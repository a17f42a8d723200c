/**
 * Entry point of the status-webhook load generator, run as its own process pinned to the load core.
 *
 * Usage: node --import tsx bench/lib/webhook-load-child.ts '<WebhookLoadOptions JSON>'
 * Prints one `WEBHOOK_LOAD_JSON {...}` line with the WebhookLoadResult.
 */
import { printWebhookLoadResult, runWebhookLoad, type WebhookLoadOptions } from './webhook-load.js';

const options = JSON.parse(process.argv[2] ?? '{}') as WebhookLoadOptions;
printWebhookLoadResult(await runWebhookLoad(options));
// undici may keep timers alive; the result is out, so leave now.
process.exit(0);
