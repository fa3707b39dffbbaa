// One member of the loss test's group, run as its own process (see loss.int.spec.ts).
// Every handled event is counted in a Redis hash before the handler returns, so a
// redelivered duplicate shows as a count of 2, and a SIGKILL loses nothing already counted.
import { Redis } from 'ioredis';
import { RedisStreamsEventBus } from '../../src/index.js';

const env = process.env;
const recorder = new Redis(env.LOSS_REDIS_URL!);
const bus = new RedisStreamsEventBus({
  redis: env.LOSS_REDIS_URL!,
  prefix: env.LOSS_PREFIX!,
  connectionName: env.LOSS_CONNECTION_NAME!,
  partitions: 2,
  claimIdleMs: 1_000,
  blockMs: 200,
  readAhead: 20,
  ...(env.LOSS_LOG ? { logger: console } : {}),
});

await bus.subscribe(
  'loss.#',
  async (event) => {
    await recorder.hincrby(env.LOSS_HANDLED_KEY!, event.id, 1);
  },
  { group: 'loss', concurrency: 4 },
);
process.send?.('ready');

process.on('SIGTERM', () => {
  void bus
    .close()
    .then(() => recorder.quit())
    .finally(() => process.exit(0));
});
