/**
 * `npm install`'s prepare step: builds the console into console/dist. An install without dev
 * dependencies (a production image, `npm ci --omit=dev`) has no Vite; it then says so and leaves
 * the gateway to answer `/` with a page explaining how to build the console, instead of failing
 * the install.
 */
import { fileURLToPath } from 'node:url';

const configFile = fileURLToPath(new URL('./vite.config.ts', import.meta.url));

let vite;
try {
  vite = await import('vite');
} catch {
  console.warn('wabridge: Vite is not installed (dev dependencies omitted), so the web console was not built; run `npm install` with dev dependencies, then `npm run console:build`.');
  process.exit(0);
}

const started = Date.now();
await vite.build({ configFile, logLevel: 'warn' });
console.log(`wabridge: web console built into console/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
