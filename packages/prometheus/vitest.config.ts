import { mergeConfig } from 'vitest/config';
import { heraldVitest } from '../../tooling/vitest.base';

// scripts/prom-client-matrix.mjs sets PROM_CLIENT_ENTRY to run the tests against another
// prom-client release (and keeps its results out of test-results/, which CI's summary reads).
const entry = process.env.PROM_CLIENT_ENTRY;

export default entry === undefined
  ? heraldVitest()
  : mergeConfig(heraldVitest({ reporters: ['default'], include: ['test/**/*.unit.spec.ts'] }), {
      resolve: { alias: { 'prom-client': entry } },
    });
