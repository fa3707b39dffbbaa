import { describeEventStoreConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { RedisEventStore } from '../src/index.js';
import { CLUSTER_NODES, startCluster } from '../../../tooling/test-support/redis-cluster.js';
import { deleteKeys, uniquePrefix } from './support/redis.js';

// The store conformance suite on a local Redis Cluster (3 masters on 7001-7003,
// tooling/scripts/redis-cluster.sh, started by this file when it is not up), with a
// user-owned ioredis Cluster. Every key of a store shares the `{es}` hash tag: one slot.
let cluster: Cluster;

beforeAll(async () => {
  await startCluster();
  cluster = new Cluster(CLUSTER_NODES);
}, 90_000);
afterAll(() => cluster.quit());

describeEventStoreConformance(vitestRunner, {
  name: 'RedisEventStore on Redis Cluster',
  create: () => new RedisEventStore({ redis: cluster, prefix: uniquePrefix('cluster') }),
  createPeer: (store) => new RedisEventStore({ redis: cluster, prefix: store.keys.prefix }),
  cleanup: async (store) => {
    await store.close();
    // One slot holds every key of the store: SCAN finds them on the master that serves it.
    for (const node of cluster.nodes('master')) await deleteKeys(node, store.keys.prefix);
  },
});
