import {
  describeEventSourcingConformance,
  describeInboxConformance,
  describeSnapshotStoreConformance,
} from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { RedisEventStore, RedisInbox, RedisSnapshotStore } from '../src/index.js';
import { deleteKeys, redisOptions, uniquePrefix } from './support/redis.js';

const admin = new Redis(redisOptions);
/** Prefixes of the snapshot stores the repository cases created: deleted after the file. */
const snapshotPrefixes: string[] = [];
afterAll(async () => {
  for (const prefix of snapshotPrefixes) await deleteKeys(admin, prefix);
  admin.disconnect();
});

describeEventSourcingConformance(vitestRunner, {
  name: 'RedisEventStore',
  create: ({ upcasters }) => new RedisEventStore({ redis: redisOptions, prefix: uniquePrefix('es'), upcasters }),
  // Snapshots on Redis too: the repository cases then run store and snapshots on one server.
  snapshots: () => {
    const store = new RedisSnapshotStore({ redis: redisOptions, prefix: uniquePrefix('es-snap') });
    snapshotPrefixes.push(store.keys.prefix);
    return store;
  },
  cleanup: async (stores) => {
    for (const store of stores as RedisEventStore[]) {
      await store.close();
      await deleteKeys(admin, store.keys.prefix);
    }
  },
});

describeSnapshotStoreConformance(vitestRunner, {
  name: 'RedisSnapshotStore',
  create: () => new RedisSnapshotStore({ redis: redisOptions, prefix: uniquePrefix('snap') }),
  cleanup: async (store) => {
    await store.close();
    await deleteKeys(admin, store.keys.prefix);
  },
});

describeInboxConformance(vitestRunner, {
  name: 'RedisInbox',
  create: () => new RedisInbox({ redis: redisOptions, prefix: uniquePrefix('inbox') }),
  cleanup: async (inbox) => {
    await inbox.close();
    await deleteKeys(admin, inbox.keys.prefix);
  },
});
