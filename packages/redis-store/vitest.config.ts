import { heraldVitest } from '../../tooling/vitest.base';

// The global setup records INFO commandstats' KEYS count so the suite can prove it never calls KEYS.
export default heraldVitest({ globalSetup: ['test/support/global-setup.ts'] });
