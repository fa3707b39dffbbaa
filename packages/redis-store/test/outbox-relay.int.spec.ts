import { createDomainEvent, OutboxRelay, type BaseEvent, type DomainEvent } from '@herald/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../tooling/test-support/random.js';
import { until } from '../../../tooling/test-support/wait.js';
import { RedisCheckpointStore, RedisEventStore } from '../src/index.js';
import { deleteKeys, itIssuedNoKeysCommand, redisOptions, uniquePrefix } from './support/redis.js';

const admin = new Redis(redisOptions);
const prefix = uniquePrefix('outbox');
afterAll(async () => {
  await deleteKeys(admin, prefix);
  admin.disconnect();
});

type CrashMode = 'throw' | 'kill';

/**
 * Records every accepted publish (the shared `published` log survives relay
 * instances, like a downstream consumer would). After `crashAfter` accepted
 * publishes it fails the next one: 'throw' rejects it (the relay sees the
 * error), 'kill' never settles it — the process died mid-batch, so the relay
 * never gets to save its checkpoint.
 */
function crashingBus(published: string[], crashAfter: number, mode: CrashMode) {
  let accepted = 0;
  let crashed = false;
  return {
    get crashed() {
      return crashed;
    },
    async publish(event: BaseEvent): Promise<void> {
      if (accepted >= crashAfter) {
        crashed = true;
        if (mode === 'throw') throw new Error('broker went away');
        return new Promise<void>(() => {});
      }
      accepted++;
      published.push(event.id);
    },
  };
}

describe('OutboxRelay over RedisEventStore + RedisCheckpointStore', () => {
  it('publishes every saved event at least once, in order, across crashes, with bounded duplicates', async () => {
    // Given 1,000 events saved across 10 streams
    const seed = Number(process.env.OUTBOX_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed); // replayable from the seed in the failure message
    const store = new RedisEventStore({ redis: redisOptions, prefix });
    const checkpoints = new RedisCheckpointStore({ redis: store.redis, prefix });
    const saved: DomainEvent[] = [];
    for (let batch = 0; batch < 100; batch++) {
      const stream = `account-${batch % 10}`;
      const events = Array.from({ length: 10 }, (_, i) =>
        createDomainEvent({
          type: 'account.credited',
          aggregateId: stream,
          aggregateType: 'Account',
          data: { batch, i },
          metadata: { source: 'outbox-test', environment: 'test' },
        }),
      );
      await store.saveEvents(stream, events, 'any');
      saved.push(...events);
    }
    const positionOf = new Map((await collectAll(store)).map((e) => [e.id, e.position]));
    const batchSize = 50;
    const published: string[] = [];

    // When a relay (a new instance each time) crashes 6 times at random points, then one runs to the end
    const crashes: string[] = [];
    for (let crash = 0; crash < 6; crash++) {
      const mode: CrashMode = crash % 2 === 0 ? 'kill' : 'throw';
      // ≤ 150 each: six crashes stay short of the 1,000th event, so every crash really happens.
      const crashAfter = 1 + Math.floor(random() * 150);
      const bus = crashingBus(published, crashAfter, mode);
      const relay = new OutboxRelay(store, bus, checkpoints, { batchSize, name: 'outbox' });
      const run = relay.drain().catch(() => undefined);
      await until(() => bus.crashed, `crash ${crash} (${mode} after ${crashAfter})`);
      if (mode === 'throw') await run; // the relay saw the error and checkpointed what was accepted
      // 'kill': the relay is abandoned mid-batch with its publish pending forever, like a dead process.
      crashes.push(`${mode}@${crashAfter}`);
    }
    const finalBus = crashingBus(published, Number.POSITIVE_INFINITY, 'throw');
    await new OutboxRelay(store, finalBus, checkpoints, { batchSize, name: 'outbox' }).drain();

    // Then every event was published, first publications are in position order, duplicates are bounded
    const context = `seed ${seed}, crashes ${crashes.join(' ')}, ${published.length - 1_000} duplicates`;
    const firstSeen: string[] = [];
    const seen = new Set<string>();
    for (const id of published) {
      if (!seen.has(id)) firstSeen.push(id);
      seen.add(id);
    }
    expect(seen.size, context).toBe(1_000);
    expect(firstSeen, context).toEqual(saved.map((e) => e.id));
    const positions = firstSeen.map((id) => positionOf.get(id)!);
    expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!), context).toBe(true);
    const duplicates = published.length - 1_000;
    expect(duplicates, context).toBeLessThanOrEqual(crashes.length * batchSize);
    expect(await checkpoints.load('outbox')).toBe(positions[positions.length - 1]! + 1);

    await checkpoints.close();
    await store.close();
  });
});

async function collectAll(store: RedisEventStore) {
  const all = [];
  let from = 0;
  for (;;) {
    const page = await store.getAllEvents(from, 500);
    if (page.length === 0) return all;
    all.push(...page);
    from = page[page.length - 1]!.position + 1;
  }
}

itIssuedNoKeysCommand();
