import { createRequire } from 'node:module';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PrometheusEventTracker } from '../src/index.js';

describe('the prom-client under test', () => {
  it('is the release scripts/prom-client-matrix.mjs asked for (or the lockfile one)', () => {
    // Given the release the matrix script installed, if any
    const wanted = process.env.PROM_CLIENT_VERSION;
    // When the package that `prom-client` resolves to here is located
    const require = createRequire(import.meta.url);
    const entry = process.env.PROM_CLIENT_ENTRY ?? require.resolve('prom-client');
    const loaded = require(entry) as { Registry: unknown; register: { removeSingleMetric(name: string): void } };
    const { version } = createRequire(entry)('./package.json') as { version: string };
    // Then the tests' (and so the tracker's) prom-client is that release: the swap really happened
    expect(Registry).toBe(loaded.Registry);
    const tracker = new PrometheusEventTracker({ prefix: 'matrix_check' });
    expect(tracker.registry).toBe(loaded.register);
    expect(version).toMatch(/^15\./);
    if (wanted !== undefined) expect(version).toBe(wanted);
  });
});
