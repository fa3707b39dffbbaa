import { createDomainEvent, type EventBus } from '@herald/core';
import { describeEventBusConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStreamsEventBus } from '../src/index.js';
import { clusterClient, deleteKeysOnEveryNode, killClientsOnEveryNode, masterOf, nodeClient, startCluster } from './support/cluster.js';
import { unique, until } from './support/redis.js';

// RedisStreamsEventBus on a local Redis Cluster of 3 masters (7001-7003), started by
// this file when it is not up: the conformance suite with a user-owned ioredis
// Cluster, and the proof that partitions spread over masters.
let cluster: Cluster;
const names = new WeakMap<EventBus, { prefix: string; connectionName: string }>();
const prefixes: string[] = [];

beforeAll(async () => {
  await startCluster();
  cluster = clusterClient();
}, 90_000);

afterAll(async () => {
  await deleteKeysOnEveryNode(nodeClient, prefixes);
  await cluster.quit();
});

function create(label: string, extra: { partitions?: number } = {}): RedisStreamsEventBus {
  const n = unique(label);
  const bus = new RedisStreamsEventBus({ redis: cluster, ...n, blockMs: 500, claimIdleMs: 5_000, partitions: 3, ...extra });
  names.set(bus, n);
  prefixes.push(n.prefix);
  return bus;
}

describeEventBusConformance(vitestRunner, {
  name: 'RedisStreamsEventBus on Redis Cluster',
  create: () => create('cluster'),
  injectRaw: async (bus, _type, raw) => {
    // The conformance events all carry one aggregateId: the partition a sound event of it would use.
    const sample = createDomainEvent({ type: 'x.y', aggregateId: 'conformance-1', aggregateType: 'C', data: {}, metadata: { source: 's', environment: 'e' } });
    const stream = (bus as RedisStreamsEventBus).streamOf(sample);
    await cluster.xadd(stream, '*', 'e', typeof raw === 'string' ? raw : Buffer.from(raw));
  },
  faults: {
    // The bus's own connections on every node (CLIENT KILL ID by name).
    killConnections: async (bus) => {
      const killed = await killClientsOnEveryNode(nodeClient, `${names.get(bus)!.connectionName}:`);
      if (killed === 0) throw new Error('no connection of the bus was found to kill');
    },
  },
  scale: 0.3,
});

describe('RedisStreamsEventBus partitions on Redis Cluster', () => {
  it('places its partitions on more than one master, and delivers from all of them', async () => {
    // Given a bus with 8 partitions on the cluster and one group member
    const bus = create('spread', { partitions: 8 });
    const seen = new Set<string>();
    await bus.subscribe('spread.#', (e) => void seen.add(e.id), { group: 'spread' });

    // When 64 aggregates publish one event each
    const events = Array.from({ length: 64 }, (_, i) =>
      createDomainEvent({ type: 'spread.item', aggregateId: `agg-${i}`, aggregateType: 'S', data: { i }, metadata: { source: 's', environment: 'e' } }),
    );
    await bus.publishAll(events);

    // Then the streams that hold events live on at least two masters, and every event arrives
    const used: string[] = [];
    for (const stream of bus.streams) if ((await cluster.xlen(stream)) > 0) used.push(stream);
    const masters = new Set(await Promise.all(used.map((s) => masterOf(cluster, s))));
    expect(masters.size).toBeGreaterThan(1);
    await until(() => seen.size === 64, 'all 64 events to be handled');
    await bus.close();
  });
});
