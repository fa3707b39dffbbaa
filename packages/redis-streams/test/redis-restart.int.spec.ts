import { describeEventBusConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { afterAll, beforeAll } from 'vitest';
import { PrivateRedis } from '../../../tooling/test-support/private-redis.js';
import { RedisStreamsEventBus } from '../src/index.js';
import { unique } from './support/redis.js';

// The conformance suite's fault cases on a private redis-server (port 6381, started
// and restarted by this file alone, never the shared 6379; the other cases run in
// conformance.int.spec.ts): the restart loses every stream and group (no
// persistence), and the bus must recreate its groups and keep delivering.
const server = new PrivateRedis(6381);

beforeAll(() => server.start());
afterAll(() => server.dispose());

describeEventBusConformance(vitestRunner, {
  name: 'RedisStreamsEventBus on a private Redis',
  create: () => new RedisStreamsEventBus({ redis: server.url, ...unique('restart'), blockMs: 500, claimIdleMs: 5_000 }),
  only: ['faults'],
  faults: { restartServer: () => server.restart() },
});
