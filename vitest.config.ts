import { configDefaults, defineConfig } from 'vitest/config';

// Four tiers, chosen by file name so a new file's tier is visible where it is created:
// *.interop.test.ts (Python TensorFlow judges our files), *.e2e.test.ts or a file under an e2e
// folder (the CLI in child processes: package, deploy and CI recipes), *.integration.test.ts
// (TensorFlow, in-process servers, child processes that are not the CLI), and every other
// *.test.ts is unit (no engine, seconds). test/tiers.integration.test.ts checks that each file is
// in exactly one.
const interop = ['test/**/*.interop.test.ts'];
const e2e = ['test/**/*.e2e.test.ts', ...['e2e', 'ci', 'package'].map((folder) => `test/${folder}/**/*.test.ts`)];
const integration = ['test/**/*.integration.test.ts'];
const unit = ['test/**/*.test.ts'];

export default defineConfig({
  test: {
    // tfjs-node's native addon is not safe in worker threads: run test files in child processes.
    // Two at a time matches the 2-core machines this runs on.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 120_000,
    hookTimeout: 300_000,
    env: { TF_CPP_MIN_LOG_LEVEL: '2' },
    setupFiles: ['test/helpers/after-each-file.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: unit,
          exclude: [...configDefaults.exclude, ...interop, ...e2e, ...integration],
          // Loading TensorFlow or starting a process fails a unit test: the file belongs to another tier.
          setupFiles: ['test/helpers/unit-tier-guard.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: integration, exclude: [...configDefaults.exclude, ...e2e] },
      },
      { extends: true, test: { name: 'interop', include: interop } },
      { extends: true, test: { name: 'e2e', include: e2e, exclude: [...configDefaults.exclude, ...interop] } },
    ],
  },
});
