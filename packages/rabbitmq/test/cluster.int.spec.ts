import type { BaseEvent, EventBus, HandlerContext } from '@herald/core';
import { describeEventBusConformance } from '@herald/testing';
import { vitestRunner } from '../../../tooling/test-support/vitest-runner.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RabbitMQEventBus } from '../src/index.js';
import {
  closeClusterConnectionsNamed,
  cluster,
  ClusterBuses,
  type ClusterNode,
  clusterCtl,
  leaderOf,
  nodeEndpoint,
  startAllApps,
  withClusterChannel,
} from './cluster-helpers.js';
import { event, rawInjector, uniquePrefix, until } from './helpers.js';

// Herald on a real three-node RabbitMQ cluster with quorum queues. The file starts
// the private cluster (tooling/scripts/rabbitmq-cluster.sh: ports 5681-5683, never
// the shared broker) and removes it at the end; node faults are `stop_app` on one of
// its nodes. Every bus lists all three nodes, beginning with a chosen one.
const buses = new ClusterBuses();
beforeAll(() => cluster('start'), 600_000); // a bound against hangs: ~1.5 min on a busy 2-core machine
afterAll(async () => {
  await buses.closeAll();
  await cluster('stop');
}, 300_000);

/**
 * Publishes `count` events with at most `window` unconfirmed; each settles (resolves or rejects)
 * or the test fails. `onPublished` may return a promise to pace the stream (e.g. to keep it
 * flowing while a node stops, which takes the CLI seconds).
 */
async function publishStream(
  bus: RabbitMQEventBus,
  type: string,
  count: number,
  window: number,
  onPublished?: (n: number) => Promise<void> | undefined,
): Promise<{ confirmed: string[]; rejected: string[] }> {
  const confirmed: string[] = [];
  const rejected: string[] = [];
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < count; i++) {
    const e = event(type, { i });
    const p: Promise<void> = bus.publish(e).then(
      () => void confirmed.push(e.id),
      () => void rejected.push(e.id),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= window) await Promise.race(inFlight);
    await onPublished?.(i + 1);
  }
  await until(() => inFlight.size === 0, 'every publish to settle (none may hang)', 60_000);
  return { confirmed, rejected };
}

describe('conformance on the 3-node cluster', () => {
  let next = 0;
  describeEventBusConformance(vitestRunner, {
    name: "RabbitMQEventBus (3-node cluster, queueType 'quorum')",
    // Spread buses over the nodes: each starts with a different one.
    create: () => buses.create('conf', ((next++ % 3) + 1) as ClusterNode, { publishTimeoutMs: 10_000, closeTimeoutMs: 10_000 }),
    capabilities: { persistent: true, consumerGroups: true, redelivery: true, ordered: true, deadLetters: true },
    injectRaw: rawInjector((job) => withClusterChannel(job)),
    faults: {
      killConnections: async (bus: EventBus) => {
        const prefix = (bus as RabbitMQEventBus).prefix;
        const closed = await closeClusterConnectionsNamed(`herald-cluster-test:${prefix}`);
        if (closed === 0) throw new Error(`no connection named herald-cluster-test:${prefix}* to close`);
      },
    },
    timeoutMs: 30_000,
  });
});

describe('node failures on the 3-node cluster', () => {
  afterEach(() => startAllApps(), 120_000);

  it('loses nothing when the node holding the group queue leader stops mid-stream (3,000 events, 2 consumers)', async () => {
    // Given a quorum group of two consumers on nodes 1 and 2, and a publisher on node 3
    const prefix = uniquePrefix('leader');
    const a = buses.create('leader', 1, { prefix });
    const b = buses.create('leader', 2, { prefix });
    const publisher = buses.create('leader', 3, { prefix, publishTimeoutMs: 15_000 });
    const handled = new Map<string, number>();
    const handler = (e: BaseEvent) => void handled.set(e.id, (handled.get(e.id) ?? 0) + 1);
    await a.subscribe('leader.#', handler, { group: 'workers', concurrency: 8 });
    await b.subscribe('leader.#', handler, { group: 'workers', concurrency: 8 });
    const leader = await leaderOf(`${prefix}workers`);

    // When 3,000 events are published and, after the first 1,000, the leader's node stops, then starts again
    // (the last 2,000 go out at ~200/s, so the stop and the election happen while they flow)
    let stopping: Promise<string> | undefined;
    let published = 0;
    let publishedWhenStopped = -1;
    const { confirmed, rejected } = await publishStream(publisher, 'leader.item', 3_000, 100, (n) => {
      published = n;
      if (n === 1_000) {
        stopping = clusterCtl(leader, '-q', 'stop_app').finally(() => {
          publishedWhenStopped = published;
        });
      }
      return n > 1_000 ? pace(5) : undefined;
    });
    await stopping;
    await clusterCtl(leader, '-q', 'start_app');

    // Then every confirmed event is handled (0 lost); duplicates are counted, not failures
    await until(() => confirmed.every((id) => handled.has(id)), 'every confirmed event to be handled', 120_000);
    const lost = confirmed.filter((id) => !handled.has(id)).length;
    const duplicates = [...handled.values()].reduce((sum, n) => sum + n - 1, 0);
    console.info(
      `[cluster] leader node ${leader} stopped after ${publishedWhenStopped} of 3000 publishes: ${confirmed.length} confirmed, ${rejected.length} rejected, ` +
        `${lost} lost, ${duplicates} duplicate deliveries`,
    );
    expect(lost).toBe(0);
    expect(confirmed.length + rejected.length).toBe(3_000);
    expect(publishedWhenStopped).toBeLessThan(3_000); // the node went down mid-stream
  }, 300_000);

  it('retries every event through a quorum delay queue whose leader node stops while they wait: none lost or dead-lettered early', async () => {
    // Given a group whose handler fails twice then succeeds (3 attempts, 3 s between), its bus starting on node 1
    const prefix = uniquePrefix('delay');
    const consumer = buses.create('delay', 1, { prefix });
    const publisher = buses.create('delay', 2, { prefix });
    const succeeded = new Set<string>();
    let attempts = 0;
    await consumer.subscribe(
      'delay.#',
      {
        handle(e: BaseEvent, ctx: HandlerContext) {
          attempts++;
          if (ctx.attempt <= 2) throw new Error(`attempt ${ctx.attempt} fails`);
          succeeded.add(e.id);
        },
        retryStrategy: { maxAttempts: 3, backoff: { type: 'fixed', delay: 3_000 }, deadLetter: { enabled: true } },
      },
      { group: 'flaky', concurrency: 8 },
    );
    const ids = Array.from({ length: 200 }, (_, i) => event('delay.item', { i }));
    await publisher.publishAll(ids);

    // When events wait in the delay queue, the node holding its leader stops until they have come back, then starts
    const delayQueue = `${prefix}retry.3000ms`;
    const depth = () => withClusterChannel(async (ch) => (await ch.checkQueue(delayQueue)).messageCount, 3);
    await until(async () => (await depth()) > 0, 'retries waiting in the delay queue', 30_000);
    const leader = await leaderOf(delayQueue);
    await clusterCtl(leader, '-q', 'stop_app');
    await until(() => succeeded.size > 0, 'retries to come back while the leader node is down', 60_000);
    await clusterCtl(leader, '-q', 'start_app');

    // Then every event succeeds on its third attempt, and nothing reached the dead-letter queue
    await until(() => succeeded.size === ids.length, 'every event to succeed', 120_000);
    const deadLetters = await withClusterChannel(async (ch) => (await ch.checkQueue(`${prefix}dead-letters`)).messageCount, 3);
    console.info(`[cluster] delay-queue leader node ${leader} stopped: ${ids.length} events, ${attempts} attempts, ${deadLetters} dead letters`);
    expect(deadLetters).toBe(0);
    expect(attempts).toBeGreaterThanOrEqual(3 * ids.length);
  }, 300_000);

  it('moves a consumer whose node stops to another node, and the group keeps draining', async () => {
    // Given a group with consumers on nodes 1 and 2 and a publisher on node 3
    const prefix = uniquePrefix('move');
    const a = buses.create('move', 1, { prefix });
    const b = buses.create('move', 2, { prefix });
    const publisher = buses.create('move', 3, { prefix });
    const handled = new Set<string>();
    let handledByB = 0;
    const bEndpoints: string[] = [];
    b.on('connection', ({ state, endpoint }) => {
      if (state === 'connected' && endpoint) bEndpoints.push(endpoint);
    });
    await a.subscribe('move.#', (e: BaseEvent) => void handled.add(e.id), { group: 'workers' });
    await b.subscribe(
      'move.#',
      (e: BaseEvent) => {
        handledByB++;
        handled.add(e.id);
      },
      { group: 'workers' },
    );
    expect(bEndpoints).toEqual([nodeEndpoint(2)]);

    // When node 2 (b's node) stops while 1,000 events flow
    let stopping: Promise<string> | undefined;
    const { confirmed } = await publishStream(publisher, 'move.item', 1_000, 50, (n) => {
      if (n === 300) stopping = clusterCtl(2, '-q', 'stop_app');
      return n > 300 ? pace(10) : undefined;
    });
    await stopping;

    // Then b reconnects to another node, says which, and keeps handling its share
    await until(() => bEndpoints.length >= 2, 'b to reconnect', 60_000);
    expect(bEndpoints.at(-1)).not.toBe(nodeEndpoint(2));
    const before = handledByB;
    const more = await publishStream(publisher, 'move.after', 200, 50);
    await until(() => [...confirmed, ...more.confirmed].every((id) => handled.has(id)), 'the group to drain', 60_000);
    expect(handledByB).toBeGreaterThan(before);
  }, 300_000);
});

/** Spaces publishes out (load shaping, not synchronisation: nothing waits for a condition here). */
function pace(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
