import { heraldTsup } from '../../tooling/tsup.base';

export default heraldTsup();
