import { createDomainEvent, type EventBus } from '@herald/core';
import { describeEventBusConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStreamsEventBus } from '../src/index.js';
import { GatedHandler } from './support/gated-handler.js';
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

function create(label: string, extra: { partitions?: number; readAhead?: number } = {}): RedisStreamsEventBus {
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

  it('bounds each partition reader on its own: concurrency + readAhead unsettled entries per partition', async () => {
    // Given a member on 3 partitions with 2 handler slots and readAhead 3, whose handlers wait for a gate
    const bus = create('bound', { readAhead: 3 });
    const slow = new GatedHandler();
    await bus.subscribe('bound.#', slow.handle, { group: 'slow', concurrency: 2 });

    // When a backlog of 300 events of 300 aggregates is published (every partition gets a share)
    const events = Array.from({ length: 300 }, (_, i) =>
      createDomainEvent({ type: 'bound.item', aggregateId: `agg-${i}`, aggregateType: 'B', data: { i }, metadata: { source: 's', environment: 'e' } }),
    );
    await bus.publishAll(events);

    // Then each partition's reader holds exactly its own bound of 5 pending entries, and no more over three read periods
    const pending = async () => Promise.all(bus.streams.map(async (s) => Number(((await cluster.xpending(s, 'slow')) as [number])[0])));
    await until(async () => slow.running === 2 && (await pending()).every((n) => n === 5), 'every partition reader to fill its 5 slots');
    const watchUntil = Date.now() + 1_500;
    const most = [0, 0, 0];
    while (Date.now() < watchUntil) {
      const now = await pending();
      for (let i = 0; i < now.length; i++) most[i] = Math.max(most[i]!, now[i]!);
    }
    expect(most).toEqual([5, 5, 5]);

    // And once the handlers go on, everything is handled, never more than 2 at once
    slow.open();
    await until(() => slow.handled === 300, 'the 300 events to be handled', 30_000);
    expect(slow.mostRunning).toBe(2);
    await bus.close();
  });
});
