import { describeEventBusConformance } from '@herald/testing';
import { afterAll, beforeAll } from 'vitest';
import { PrivateRedis } from '../../../tooling/test-support/private-redis.js';
import { RedisStreamsEventBus } from '../src/index.js';
import { unique } from './support/redis.js';

// The conformance suite on a private redis-server (port 6381, started and
// restarted by this file alone, never the shared 6379), with the server-restart
// fault: the restart loses every stream and group (no persistence), and the
// bus must recreate its groups and keep delivering.
const server = new PrivateRedis(6381);

beforeAll(() => server.start());
afterAll(() => server.dispose());

describeEventBusConformance({
  name: 'RedisStreamsEventBus on a private Redis',
  create: () => new RedisStreamsEventBus({ redis: server.url, ...unique('restart'), blockMs: 500, claimIdleMs: 5_000 }),
  faults: { restartServer: () => server.restart() },
});
