import { heraldVitest } from '../../tooling/vitest.base';

export default heraldVitest();
