import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Process-level tests (crash safety) spawn the gateway; keep them from fighting over 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
