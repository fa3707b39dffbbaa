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

function create(label: string, extra: { partitions?: number; readAhead?: number; claimIdleMs?: number } = {}): RedisStreamsEventBus {
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

  it("takes over a dead member's entries on one partition while another partition's reader is full", async () => {
    // Given a dead member ("ghost") that read 4 entries on each of partitions 1 and 2 and never acknowledged them
    const bus = create('claims', { readAhead: 3, claimIdleMs: 600 });
    const [s0, s1, s2] = bus.streams as [string, string, string];
    for (const s of bus.streams) await cluster.xgroup('CREATE', s, 'slow', '$', 'MKSTREAM');
    const on = (stream: string, count: number, from: number) => {
      const aggregateId = aggregateOn(bus, stream);
      return Array.from({ length: count }, (_, i) => item(from + i, aggregateId));
    };
    await bus.publishAll([...on(s1, 4, 0), ...on(s2, 4, 100)]);
    for (const s of [s1, s2]) await cluster.xreadgroup('GROUP', 'slow', 'ghost', 'COUNT', 100, 'STREAMS', s, '>');

    // When a live member with slow handlers fills partition 0's reader with a backlog
    await bus.publishAll(on(s0, 50, 1_000));
    const slow = new GatedHandler();
    await bus.subscribe('bound.#', slow.handle, { group: 'slow', concurrency: 2 });
    await until(async () => (await pendingOf(s0, 'slow')) === 5, "partition 0's reader to be full");

    // Then the ghost's entries on partitions 1 and 2 are still taken over (idle past claimIdleMs, 600 ms here)
    await until(async () => (await pendingOf(s1, 'slow', 'ghost')) === 0 && (await pendingOf(s2, 'slow', 'ghost')) === 0, "the ghost's entries to be taken over", 20_000);
    slow.open();
    await until(() => slow.handled === 58, 'the 58 events to be handled', 30_000);
    await bus.close();
  });
});

function item(i: number, aggregateId: string) {
  return createDomainEvent({ type: 'bound.item', aggregateId, aggregateType: 'B', data: { i }, metadata: { source: 's', environment: 'e' } });
}

/** An aggregate id whose events the bus puts on `stream`. */
function aggregateOn(bus: RedisStreamsEventBus, stream: string): string {
  for (let i = 0; i < 10_000; i++) if (bus.streamOf(item(0, `agg-${i}`)) === stream) return `agg-${i}`;
  throw new Error(`no aggregate id of agg-0..9999 maps to ${stream}`);
}

/** Entries pending in `group` on `stream`, of one consumer or of all. */
async function pendingOf(stream: string, group: string, consumer?: string): Promise<number> {
  if (consumer === undefined) return Number(((await cluster.xpending(stream, group)) as [number])[0]);
  const rows = (await cluster.xpending(stream, group, '-', '+', 1_000, consumer)) as unknown[];
  return rows.length;
}
