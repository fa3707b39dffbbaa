import { heraldVitest } from '../../tooling/vitest.base';

// One file at a time: the loss test runs child processes and the Cluster tests a local
// cluster; on a 2-core machine they would only slow each other down.
export default heraldVitest({ fileParallelism: false });
