import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Which tier of tests a run takes (HERALD_TEST_TIER, set by the `test:unit` and
 * `test:int` scripts): `unit`, the `*.unit.spec.ts` files, which need no server;
 * `int`, the rest (`*.int.spec.ts` against Redis/RabbitMQ, `*.browser.spec.ts`);
 * undefined, every file (`test`).
 */
export const testTier: 'unit' | 'int' | undefined = tierFromEnv(process.env.HERALD_TEST_TIER);

const TIER_FILES = {
  unit: ['*.unit.spec.ts'],
  int: ['*.int.spec.ts', '*.browser.spec.ts'],
  all: ['*.spec.ts'],
} as const;

/**
 * The one test config every package uses. Each package writes its results to
 * test-results/vitest.json so tooling/scripts/test-summary.mjs can print the
 * workspace-wide "N passed, N failed" line CI reads.
 */
export function heraldVitest(overrides: ViteUserConfig['test'] = {}) {
  const files = TIER_FILES[testTier ?? 'all'];
  return defineConfig({
    test: {
      include: ['test', 'src'].flatMap((dir) => files.map((file) => `${dir}/**/${file}`)),
      // A package may have no file of a tier (no integration tests): that run is empty, not failed.
      passWithNoTests: testTier !== undefined,
      testTimeout: 30_000,
      hookTimeout: 30_000,
      reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
      ...overrides,
    },
  });
}

function tierFromEnv(value: string | undefined): 'unit' | 'int' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'unit' || value === 'int') return value;
  throw new Error(`HERALD_TEST_TIER must be 'unit' or 'int', not ${JSON.stringify(value)}`);
}
