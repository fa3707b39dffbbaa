import { createDomainEvent, type EventBus } from '@herald/core';
import { describeEventBusConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisPubSubEventBus, type RedisPubSubEventBusOptions } from '../src/index.js';
import { CLUSTER_NODES, deleteKeysOnEveryNode, killClientsOnEveryNode, masterOf, startCluster } from '../../../tooling/test-support/redis-cluster.js';
import { clientsNamed } from '../../../tooling/test-support/redis-clients.js';
import { until } from '../../../tooling/test-support/wait.js';
import { unique } from './support/redis.js';

// RedisPubSubEventBus on a local Redis Cluster of 3 masters (7001-7003, started by
// this file when it is not up): the conformance suite with a user-owned ioredis
// Cluster, malformed messages published by hand, and the bus's connections killed
// on every node.
let cluster: Cluster;
const names = new WeakMap<EventBus, { prefix: string; connectionName: string }>();
const prefixes: string[] = [];
const nodeClient = (port: number) => new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 3 });

beforeAll(async () => {
  await startCluster();
  cluster = new Cluster(CLUSTER_NODES, { redisOptions: { maxRetriesPerRequest: 3 } });
}, 90_000);

afterAll(async () => {
  await deleteKeysOnEveryNode(nodeClient, prefixes);
  await cluster.quit();
});

function create(label: string, options: Partial<RedisPubSubEventBusOptions> = {}): RedisPubSubEventBus {
  const n = unique(`cluster-${label}`);
  const bus = new RedisPubSubEventBus({ redis: cluster, ...n, ...options });
  names.set(bus, n);
  prefixes.push(n.prefix);
  return bus;
}

describeEventBusConformance(vitestRunner, {
  name: 'RedisPubSubEventBus on Redis Cluster',
  create: () => create('conformance'),
  injectRaw: async (bus, type, raw) => {
    // A PUBLISH on any node reaches the subscribers of every node.
    await cluster.publish(`${names.get(bus)!.prefix}${type}`, typeof raw === 'string' ? raw : Buffer.from(raw));
  },
  faults: {
    // The bus's own connections on every node (CLIENT KILL ID by name): the publisher's node
    // connections and the subscriber.
    killConnections: async (bus) => {
      const killed = await killClientsOnEveryNode(nodeClient, `${names.get(bus)!.connectionName}:`);
      if (killed === 0) throw new Error('no connection of the bus was found to kill');
    },
  },
});

describe('RedisPubSubEventBus layout on Redis Cluster', () => {
  it('subscribes on the master that runs its publishes and keeps its dead letters in one slot there', async () => {
    // Given a bus on the cluster with one subscription whose handler always fails
    const bus = create('layout', { retry: { maxAttempts: 1, backoff: { type: 'fixed', delay: 0 } } });
    const n = names.get(bus)!;
    await bus.subscribe('layout.#', () => {
      throw new Error('always fails');
    });

    // When an event is published and dead-lettered
    const event = createDomainEvent({ type: 'layout.item', aggregateId: 'a-1', aggregateType: 'L', data: {}, metadata: { source: 's', environment: 'e' } });
    await bus.publish(event);
    await until(async () => (await bus.deadLetters.list()).length === 1, 'the event to be dead-lettered');

    // Then the subscriber is on exactly one node, the master of the bus's route key, and both
    // dead-letter keys are on that master too
    const hashTag = `${n.prefix}{${n.prefix}pubsub}:`;
    const routeMaster = await masterOf(cluster, `${hashTag}route`);
    const subscriberNodes: number[] = [];
    for (const { port } of CLUSTER_NODES) {
      const node = nodeClient(port);
      if ((await clientsNamed(node, `${n.connectionName}:subscriber`)).length > 0) subscriberNodes.push(port);
      await node.quit();
    }
    expect(subscriberNodes).toEqual([routeMaster]);
    const keys = [`${hashTag}dead-letters`, `${hashTag}dead-letters:records`];
    for (const key of keys) expect(await cluster.exists(key)).toBe(1);
    expect(new Set(await Promise.all(keys.map((k) => masterOf(cluster, k))))).toEqual(new Set([routeMaster]));
    await bus.close();
  });

  it('delivers a publishAll in order to a subscriber of another bus process on the same prefix', async () => {
    // Given a publishing bus and a subscribing bus on the same prefix (two sets of connections)
    const publisher = create('order');
    const n = names.get(publisher)!;
    const subscriber = new RedisPubSubEventBus({ redis: cluster, prefix: n.prefix, connectionName: `${n.connectionName}-b` });
    const seen: number[] = [];
    await subscriber.subscribe('order.#', (e) => void seen.push((e as unknown as { data: { i: number } }).data.i));

    // When 500 events are published in one publishAll and 50 more one by one, not awaited in between
    const make = (i: number) =>
      createDomainEvent({ type: 'order.item', aggregateId: 'o-1', aggregateType: 'O', data: { i }, metadata: { source: 's', environment: 'e' } });
    await publisher.publishAll(Array.from({ length: 500 }, (_, i) => make(i)));
    await Promise.all(Array.from({ length: 50 }, (_, i) => publisher.publish(make(500 + i))));

    // Then every event arrives, in publish order
    await until(() => seen.length === 550, 'all 550 events to arrive');
    expect(seen).toEqual(Array.from({ length: 550 }, (_, i) => i));
    await Promise.all([publisher.close(), subscriber.close()]);
  });
});
