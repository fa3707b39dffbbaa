import { heraldVitest } from '../../tooling/vitest.base';

// One test file at a time: broker-faults.int.spec.ts closes every connection and
// restarts the broker application, which would break the other files mid-run.
//
// HERALD_AMQPLIB=oldest (`pnpm test:amqplib-oldest`) runs the tests on the oldest amqplib
// the package supports (0.10.9, installed as the dev dependency "amqplib-0.10") instead of the
// newest (2.x), reporting to its own file so the main run's report is kept.
const oldest = process.env.HERALD_AMQPLIB === 'oldest';
export default heraldVitest({
  fileParallelism: false,
  ...(oldest
    ? {
        alias: { amqplib: 'amqplib-0.10' },
        reporters: ['default', ['json', { outputFile: 'test-results/vitest-amqplib-oldest.json' }]],
      }
    : {}),
});
