import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describeEventStoreConformance } from '@herald/testing';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { RedisEventStore } from '../src/index.js';
import { deleteKeys, uniquePrefix } from './support/redis.js';

// The store conformance suite on a local Redis Cluster (3 masters on 7001-7003,
// tooling/scripts/redis-cluster.sh, started by this file when it is not up), with a
// user-owned ioredis Cluster. Every key of a store shares the `{es}` hash tag: one slot.
const script = fileURLToPath(new URL('../../../tooling/scripts/redis-cluster.sh', import.meta.url));
const nodes = [7001, 7002, 7003].map((port) => ({ host: '127.0.0.1', port }));
let cluster: Cluster;

beforeAll(async () => {
  await promisify(execFile)('bash', [script, 'start'], { timeout: 60_000 });
  cluster = new Cluster(nodes);
}, 90_000);
afterAll(() => cluster.quit());

describeEventStoreConformance({
  name: 'RedisEventStore on Redis Cluster',
  create: () => new RedisEventStore({ redis: cluster, prefix: uniquePrefix('cluster') }),
  createPeer: (store) => new RedisEventStore({ redis: cluster, prefix: store.keys.prefix }),
  cleanup: async (store) => {
    await store.close();
    // One slot holds every key of the store: SCAN finds them on the master that serves it.
    for (const node of cluster.nodes('master')) await deleteKeys(node, store.keys.prefix);
  },
});
