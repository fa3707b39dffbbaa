import { heraldTsup } from '../../tooling/tsup.base';

// Two entries: the tracker, and `@herald/prometheus/stats` (no prom-client import).
export default heraldTsup({ entry: { index: 'src/index.ts', stats: 'src/stats/public.ts' } });
