import { heraldVitest, testTier } from '../../tooling/vitest.base';

// The global setup records INFO commandstats' KEYS count so the suite can prove it never calls KEYS.
// It needs Redis, so the unit tier (`test:unit`, no server) goes without it.
export default heraldVitest(testTier === 'unit' ? {} : { globalSetup: ['test/support/global-setup.ts'] });
