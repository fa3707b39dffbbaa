import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The one test config every package uses. Each package writes its results to
 * test-results/vitest.json so tooling/scripts/test-summary.mjs can print the
 * workspace-wide "N passed, N failed" line CI reads.
 */
export function heraldVitest(overrides: ViteUserConfig['test'] = {}) {
  return defineConfig({
    test: {
      include: ['test/**/*.spec.ts', 'src/**/*.spec.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
      ...overrides,
    },
  });
}
