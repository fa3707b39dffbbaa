import { heraldTsup } from '../../tooling/tsup.base';

// Two entries, `@herald/core` and `@herald/core/transport`, over shared chunks (splitting, in both
// formats): a class both reach (every HeraldError, the in-memory bus's queues) exists once, so
// `instanceof` holds whichever entry a value came through.
export default heraldTsup({ entry: { index: 'src/index.ts', transport: 'src/transport.ts' }, splitting: true });
