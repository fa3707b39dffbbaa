import { getInMemoryEventStore } from '@event-driven-io/emmett';
import { createDomainEvent, type DomainEvent } from '@herald/core';
import { InMemoryEventStore } from '@herald/in-memory-store';
import { deepPageResult, pageMicros, result, throughput, type BenchContext, type BenchResult, type Scenario } from '../harness.js';
import { interleavedBestOf } from '../interleaved.js';

/**
 * In-memory store:
 * - single-event appends spread over 1,000 streams, each with its exact expected
 *   version, against emmett's in-memory event store doing the same (its
 *   `expectedStreamVersion`), both on a fresh store per run;
 * - a page of 100 from `getAllEvents` deep in a large log against a page at the
 *   start of the same log: the cost must not grow with the log.
 */

const STREAMS = 1_000;
// Distinct event objects cycled through (as the bus scenarios do): appends see events that
// are warm in cache, as a freshly built event is, rather than 100,000 cold pre-built ones.
const POOL = 1024;

function heraldEvent(i: number): DomainEvent {
  return createDomainEvent({
    type: 'bench.item.added',
    aggregateId: `stream-${i % STREAMS}`,
    aggregateType: 'BenchItem',
    data: { sku: `sku-${i % 97}`, quantity: 1 + (i % 5), price: 9.99, tags: ['bench', 'store'] },
    metadata: { source: 'bench', environment: 'bench', userId: `user-${i % 13}` },
  });
}

async function heraldAppends(count: number): Promise<number> {
  const events = Array.from({ length: POOL }, (_, i) => heraldEvent(i));
  const store = new InMemoryEventStore();
  const versions = new Array<number>(STREAMS).fill(0);
  return throughput(count, async () => {
    for (let i = 0; i < count; i++) {
      const s = i % STREAMS;
      await store.saveEvents(`stream-${s}`, [events[i & (POOL - 1)]!], versions[s]!);
      versions[s]!++;
    }
  });
}

async function emmettAppends(count: number): Promise<number> {
  const events = Array.from({ length: POOL }, (_, i) => {
    const e = heraldEvent(i);
    return { type: e.type, data: e.data, metadata: e.metadata };
  });
  const store = getInMemoryEventStore();
  const versions = new Array<bigint>(STREAMS).fill(0n);
  return throughput(count, async () => {
    for (let i = 0; i < count; i++) {
      const s = i % STREAMS;
      // emmett treats version 0n of a missing stream as "no stream yet"
      const result = await store.appendToStream(`stream-${s}`, [events[i & (POOL - 1)]!], { expectedStreamVersion: versions[s]! });
      versions[s] = result.nextExpectedStreamVersion;
    }
  });
}

const appends: Scenario = {
  name: 'in-memory-store appends',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const count = ctx.quick ? 20_000 : 100_000;
    const runs = ctx.quick ? 1 : 5;
    await heraldAppends(5_000); // warm-up
    await emmettAppends(5_000);
    const { herald, baseline: emmett } = await interleavedBestOf(
      runs,
      () => heraldAppends(count),
      () => emmettAppends(count),
    );
    ctx.log(`${count} single-event appends over ${STREAMS} streams: herald ${Math.round(herald)}/s, emmett ${Math.round(emmett)}/s`);
    return [
      result({
        scenario: 'in-memory-store appends',
        metric: `single-event appends, ${STREAMS} streams`,
        unit: 'events/s',
        herald,
        baseline: emmett,
        baselineName: '@event-driven-io/emmett getInMemoryEventStore',
        minRatio: 10,
      }),
    ];
  },
};

const paging: Scenario = {
  name: 'in-memory-store getAllEvents paging',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const deep = ctx.quick ? 100_000 : 1_000_000;
    const store = new InMemoryEventStore();
    const template = heraldEvent(0);
    const batch = 1_000;
    for (let written = 0; written < deep + batch; written += batch) {
      const events = Array.from({ length: batch }, (_, i) => ({ ...template, id: `e-${written + i}` }));
      await store.saveEvents(`log-${written % STREAMS}`, events, 'any');
    }
    const reads = ctx.quick ? 2_000 : 10_000;
    await pageMicros(store, 0, 1_000); // warm-up
    await pageMicros(store, deep, 1_000);
    // "Best" of a latency is its minimum: the helper maximises, so it measures the negation.
    const best = await interleavedBestOf(
      5,
      async () => -(await pageMicros(store, deep, reads)),
      async () => -(await pageMicros(store, 0, reads)),
    );
    const atDeep = -best.herald;
    const atStart = -best.baseline;
    ctx.log(`page of 100: at 0 ${atStart.toFixed(1)} µs, at ${deep.toLocaleString('en-US')} ${atDeep.toFixed(1)} µs${ctx.quick ? ' (quick: smaller log)' : ''}`);
    return [
      deepPageResult('in-memory-store getAllEvents paging', deep, ctx.quick, atDeep, atStart),
    ];
  },
};

export const scenarios: Scenario[] = [appends, paging];
