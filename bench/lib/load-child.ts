/**
 * Entry point of the Node-based load generators, run as its own process (pinned to the load core)
 * so that generating load never competes with the orchestrator or the servers.
 *
 * Usage: node --import tsx bench/lib/load-child.ts <autocannon|paced> '<LoadOptions JSON>'
 * Prints one `LOAD_JSON {...}` line with the LoadResult.
 */
import type { LoadOptions } from './load.js';
import { printLoadResult } from './load.js';
import { runAutocannon } from './load-autocannon.js';
import { runPaced } from './load-paced.js';

const [tool, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? '{}') as LoadOptions;

const result = tool === 'paced' ? await runPaced(options) : await runAutocannon(options);
printLoadResult(result);
// autocannon and undici may keep timers alive; the result is out, so leave now.
process.exit(0);
