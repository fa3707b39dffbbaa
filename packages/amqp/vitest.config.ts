import { heraldVitest } from '../../tooling/vitest.base';

// One file at a time: the fault specs close this package's own broker connections.
export default heraldVitest({ fileParallelism: false });
