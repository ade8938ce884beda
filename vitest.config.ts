import { defineConfig } from 'vitest/config';

// tfjs-node's native addon is not safe in worker threads: run test files in child processes.
// Two at a time matches the 2-core machines this runs on.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 120_000,
    hookTimeout: 300_000,
    env: { TF_CPP_MIN_LOG_LEVEL: '2' },
  },
});
