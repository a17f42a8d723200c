/**
 * Vite build of the operator console: `console/` is the root, the bundle goes to `console/dist`,
 * which the gateway serves at `/` (src/http/routes/console.ts). Asset names carry a content hash,
 * so the server can let browsers keep them for a year.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The console is served by the gateway, often offline: no CDN, no source maps to leak paths.
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run console:dev` next to a running gateway: API calls go to it.
    proxy: { '/v1': process.env.WABRIDGE_URL ?? 'http://127.0.0.1:8080' },
  },
});
