import { resolve } from 'node:path';
import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from '../vite.config.js';

/**
 * `npm run bench`: each `bench/**\/*.bench.ts` is a measurement, not an assertion of speed. Files run one at a
 * time in one forked process with `--expose-gc`, so a figure never shares the two cores with another benchmark,
 * and heap figures can force a collection. Figures are recorded with `record()` and written to bench/results.md.
 */
export default defineConfig((env) =>
  mergeConfig(viteConfig(env), {
    root: resolve(import.meta.dirname, '..'),
    test: {
      name: 'bench',
      include: ['bench/**/*.bench.{ts,tsx}'],
      environment: 'node',
      pool: 'forks',
      execArgv: ['--expose-gc'],
      fileParallelism: false,
      maxWorkers: 1,
      testTimeout: 300_000,
      hookTimeout: 120_000,
      globalSetup: ['bench/support/global-setup.ts'],
    },
  }),
);
