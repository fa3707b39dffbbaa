import { describeEventStoreConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { RedisEventStore } from '../src/index.js';
import { deleteKeys, itIssuedNoKeysCommand, redisOptions, uniquePrefix } from './support/redis.js';

const admin = new Redis(redisOptions);
afterAll(() => admin.disconnect());

describeEventStoreConformance(vitestRunner, {
  name: 'RedisEventStore',
  // Each case: its own prefix and its own connection.
  create: () => new RedisEventStore({ redis: redisOptions, prefix: uniquePrefix('conf') }),
  // A second instance over the same keys, on a separate connection.
  createPeer: (store) => new RedisEventStore({ redis: redisOptions, prefix: store.keys.prefix }),
  cleanup: async (store) => {
    await store.close();
    await deleteKeys(admin, store.keys.prefix);
  },
});

itIssuedNoKeysCommand();
