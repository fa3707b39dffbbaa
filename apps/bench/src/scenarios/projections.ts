import {
  AggregateRepository,
  createDomainEvent,
  createUpcasters,
  type DomainEvent,
  EventSourcedAggregate,
  type EventStore,
  InMemoryCheckpointStore,
  InMemorySnapshotStore,
  type Projection,
  rebuildProjection,
  type SnapshotStore,
  type StoredEvent,
} from '@herald/core';
import { InMemoryEventStore } from '@herald/in-memory-store';
import { RedisEventStore, RedisSnapshotStore } from '@herald/redis-store';
import { Redis } from 'ioredis';
import { result, uniqueName, type BenchContext, type BenchResult, type Scenario } from '../harness.js';
import { interleavedBestOf } from '../interleaved.js';
import { deletePrefix } from '../redis-cleanup.js';

/**
 * `pnpm bench projections`:
 * - rebuilding a projection over the whole log (1,000,000 events in memory,
 *   200,000 on Redis) against reading the same log raw with getAllEvents and
 *   applying it to the same read model by hand, in the same run and the same
 *   page size (target ≥ 0.8× raw);
 * - loading an aggregate of 10,099 events (saved 100 at a time through a
 *   repository taking a snapshot every 100, then 99 more: the longest tail a
 *   snapshot every 100 leaves) from its snapshot vs by full replay (target ≥ 20×);
 * - reading the log with one upcaster on every event vs none (reported).
 * Redis keys live under a unique prefix, deleted afterwards.
 */

const HOST = process.env.REDIS_EVENT_STORE_HOST ?? '127.0.0.1';
const PORT = Number(process.env.REDIS_EVENT_STORE_PORT ?? 6379);
const PAGE = 1_000;
const TYPE = 'bench.score.recorded';

function scoreEvent(i: number, streams: number, schemaVersion?: number): DomainEvent {
  return createDomainEvent({
    type: TYPE,
    aggregateId: `player-${i % streams}`,
    aggregateType: 'BenchPlayer',
    data: { points: i % 50, round: i },
    metadata: { source: 'bench', environment: 'bench', ...(schemaVersion === undefined ? {} : { schemaVersion }) },
  });
}

/** Appends `count` events over `streams` streams, `batch` events per append. */
async function fill(store: EventStore, count: number, streams: number, batch: number, schemaVersion?: number): Promise<void> {
  for (let start = 0; start < count; start += batch) {
    const events: DomainEvent[] = [];
    for (let i = start; i < Math.min(start + batch, count); i++) events.push(scoreEvent(i, streams, schemaVersion));
    // Every event of a batch goes to one stream: the batch's first stream id.
    for (const e of events) e.aggregateId = events[0]!.aggregateId;
    await store.saveEvents(events[0]!.aggregateId, events, 'any');
  }
}

/** A cheap read model: points per player. */
class PointsPerPlayer implements Projection {
  readonly name = 'bench-points';
  readonly handles = [TYPE];
  points = new Map<string, number>();
  apply(event: StoredEvent): void {
    const id = (event as StoredEvent & { aggregateId: string }).aggregateId;
    this.points.set(id, (this.points.get(id) ?? 0) + (event.data as { points: number }).points);
  }
  reset(): void {
    this.points = new Map();
  }
}

/**
 * Events per second reading the whole log page by page with getAllEvents and
 * applying each event to the same read model by hand: the projection's own work
 * is in both, so the ratio shows what the subscription machinery costs.
 */
async function rawRead(store: EventStore): Promise<number> {
  const started = performance.now();
  const model = new PointsPerPlayer();
  let n = 0;
  for (let from = 1; ; ) {
    const page = await store.getAllEvents(from, PAGE);
    for (const e of page) if (e.type === TYPE) model.apply(e);
    n += page.length;
    if (page.length < PAGE) break;
    from = page[page.length - 1]!.position + 1;
  }
  return n / ((performance.now() - started) / 1000);
}

async function rebuild(store: EventStore): Promise<number> {
  const final = await rebuildProjection(store, new PointsPerPlayer(), { checkpoints: new InMemoryCheckpointStore(), batchSize: PAGE });
  return final.done / (final.elapsedMs / 1000);
}

async function rebuildResults(scenario: string, store: EventStore, count: number, runs: number): Promise<BenchResult[]> {
  const { herald, baseline } = await interleavedBestOf(runs, () => rebuild(store), () => rawRead(store));
  return [
    result({
      scenario,
      metric: `rebuild a projection over ${count.toLocaleString('en-US')} events`,
      unit: 'events/s',
      herald,
      baseline,
      baselineName: 'raw getAllEvents read',
      minRatio: 0.8,
    }),
  ];
}

/** A counter with a snapshot of its total: the smallest aggregate that shows the replay cost. */
class Tally extends EventSourcedAggregate<DomainEvent<{ points: number }>> {
  readonly aggregateType = 'BenchTally';
  total = 0;
  // biome-ignore lint/complexity/noUselessConstructor: makes the base class's protected constructor public
  constructor(id: string) {
    super(id);
  }
  apply(event: DomainEvent<{ points: number }>): void {
    this.total += event.data.points;
  }
  add(points: number): void {
    this.raise('bench.tally.added', { points });
  }
  override snapshotState(): unknown {
    return { total: this.total };
  }
  override restoreSnapshot(state: unknown): void {
    this.total = (state as { total: number }).total;
  }
}

/** Loads per second of one 10,099-event aggregate, with snapshots (every 100) and by full replay. */
async function snapshotResults(scenario: string, store: EventStore, snapshots: SnapshotStore, quick: boolean): Promise<BenchResult[]> {
  const withSnapshots = new AggregateRepository(store, (id) => new Tally(id), { snapshots: { store: snapshots, every: 100 } });
  const replay = new AggregateRepository(store, (id) => new Tally(id));
  const id = uniqueName('tally');
  for (let batch = 0; batch < 101; batch++) {
    const tally = await withSnapshots.load(id);
    for (let i = 0; i < (batch === 100 ? 99 : 100); i++) tally.add(1 + (i % 7));
    await withSnapshots.save(tally);
    await withSnapshots.flushSnapshots();
  }
  const [fast, full] = [await withSnapshots.load(id), await replay.load(id)];
  if (fast.total !== full.total || fast.version !== full.version) throw new Error('snapshot load differs from full replay');
  const loads = quick ? 5 : 20;
  const rate = (repo: AggregateRepository<Tally>) => async () => {
    const started = performance.now();
    for (let i = 0; i < loads; i++) await repo.load(id);
    return loads / ((performance.now() - started) / 1000);
  };
  const { herald, baseline } = await interleavedBestOf(3, rate(withSnapshots), rate(replay));
  return [
    result({
      scenario,
      metric: `load a ${full.version.toLocaleString('en-US')}-event aggregate, snapshot every 100`,
      unit: 'loads/s',
      herald,
      baseline,
      baselineName: 'full replay',
      minRatio: 20,
    }),
  ];
}

/** Reads per second of the same v1 log through a store with one upcaster on every event, and without. */
async function upcastResults(scenario: string, count: number, runs: number): Promise<BenchResult[]> {
  const upcasters = createUpcasters().register(TYPE, 1, (e) => ({ ...e, data: { ...e.data, bonus: 0 } }));
  const plain = new InMemoryEventStore();
  const upcasting = new InMemoryEventStore({ upcasters });
  await fill(plain, count, 1_000, 1_000, 1);
  await fill(upcasting, count, 1_000, 1_000, 1);
  const { herald, baseline } = await interleavedBestOf(runs, () => rawRead(upcasting), () => rawRead(plain));
  return [
    result({
      scenario,
      metric: `read ${count.toLocaleString('en-US')} events, one upcaster on each (overhead: 1 − ratio)`,
      unit: 'events/s',
      herald,
      baseline,
      baselineName: 'no upcasters',
    }),
  ];
}

const inMemory: Scenario = {
  name: 'projections in-memory',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const count = ctx.quick ? 50_000 : 1_000_000;
    const store = new InMemoryEventStore();
    ctx.log(`filling the in-memory store with ${count.toLocaleString('en-US')} events`);
    await fill(store, count, 10_000, 1_000);
    const out = await rebuildResults('projections in-memory', store, count, ctx.quick ? 1 : 3);
    out.push(...(await snapshotResults('projections in-memory', new InMemoryEventStore(), new InMemorySnapshotStore(), ctx.quick)));
    out.push(...(await upcastResults('projections in-memory', ctx.quick ? 20_000 : 200_000, ctx.quick ? 1 : 3)));
    return out;
  },
};

const onRedis: Scenario = {
  name: 'projections redis',
  requires: ['redis'],
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const count = ctx.quick ? 20_000 : 200_000;
    const prefix = `${uniqueName('herald-bench-projections')}:`;
    const admin = new Redis({ host: HOST, port: PORT });
    const redis = { host: HOST, port: PORT };
    const store = new RedisEventStore({ redis, prefix });
    const snapshots = new RedisSnapshotStore({ redis, prefix });
    try {
      ctx.log(`filling the Redis store with ${count.toLocaleString('en-US')} events under ${prefix}`);
      await fill(store, count, 2_000, 500);
      const out = await rebuildResults('projections redis', store, count, ctx.quick ? 1 : 2);
      out.push(...(await snapshotResults('projections redis', store, snapshots, ctx.quick)));
      return out;
    } finally {
      await store.close();
      await snapshots.close();
      await deletePrefix(admin, prefix);
      admin.disconnect();
    }
  },
};

export const scenarios: Scenario[] = [inMemory, onRedis];
