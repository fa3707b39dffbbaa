import { heraldVitest } from '../../tooling/vitest.base';

// One test file at a time: redis-restart.int.spec.ts restarts the shared Redis,
// which must not happen while another file of this package is mid-case.
export default heraldVitest({ fileParallelism: false });
