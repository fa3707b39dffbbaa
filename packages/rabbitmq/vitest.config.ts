import { heraldVitest } from '../../tooling/vitest.base';

// One test file at a time: broker-faults.int.spec.ts closes every connection and
// restarts the broker application, which would break the other files mid-run.
export default heraldVitest({ fileParallelism: false });
