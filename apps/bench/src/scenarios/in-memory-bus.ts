import { randomUUID } from 'node:crypto';
import { createDomainEvent, InMemoryEventBus, type DomainEvent } from '@herald/core';
import Emittery from 'emittery';
import { result, throughput, type BenchContext, type BenchResult, type Scenario } from '../harness.js';

/**
 * In-memory bus throughput, counted as events handled per second: a loop of
 * awaited `publish` calls with an async handler, timed until the last event
 * has been handled.
 *
 * (a) One subscription, against emittery 1.x's awaited `emit` with an async
 *     listener, in the same run. Target: ≥ 1,000,000 events/s and ratio ≥ 2.
 * (b) 1,000 subscriptions on distinct types, the events spread over all of
 *     them, against the single-subscription figure of (a). Target: ratio ≥ 0.5
 *     — publishing must not scan every subscription.
 *
 * Events are built before timing (building them is not what is measured) and
 * both libraries get the same objects. They come from a small pool, as an
 * application publishes events it has just built: Herald validates every
 * event on publish, so it reads all of each one, while emittery never looks at
 * it, and a large pool of long-lived events would measure cache misses rather
 * than the bus. (b) needs one event per type: those 1,000 events are distinct
 * objects with their own id and type that share the pool's metadata and data.
 * Each measurement is warmed up first; the best of N runs is reported.
 */

const HOT_POOL = 16;

function makeEvents(types: readonly string[], count: number): DomainEvent[] {
  return Array.from({ length: count }, (_, i) =>
    createDomainEvent({
      type: types[i % types.length]!,
      aggregateId: `player-${i % 97}`,
      aggregateType: 'player',
      data: { points: i, reason: 'quest-completed', tags: ['daily', 'bonus'] },
      version: 1 + (i % 50),
      metadata: { source: 'bench', environment: 'bench', userId: `user-${i % 13}` },
    }),
  );
}

/** Resolves once `done()` is true, checking after every macrotask; bounded. */
async function until(done: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

interface Plan {
  count: number;
  warmup: number;
  runs: number;
}

/** One measured setup: `once(n)` publishes n events and resolves when all were handled, giving events/s. */
interface Contender {
  once(n: number): Promise<number>;
  close(): Promise<void>;
}

/** Herald: one subscription per type in `types`; the events cycle through `events`. */
async function herald(types: readonly string[], events: readonly DomainEvent[]): Promise<Contender> {
  const bus = new InMemoryEventBus();
  let handled = 0;
  const handler = async (_event: DomainEvent): Promise<void> => {
    handled++;
  };
  for (const type of types) await bus.subscribe<DomainEvent>(type, handler);
  const pool = events.length;
  return {
    once(n) {
      const target = handled + n;
      return throughput(n, async () => {
        for (let i = 0; i < n; i++) await bus.publish(events[i % pool]!);
        await until(() => handled >= target, `${n} events handled by herald`);
      });
    },
    close: () => bus.close(),
  };
}

/** emittery 1.x: awaited `emit` with an async listener. */
async function emittery(events: readonly DomainEvent[]): Promise<Contender> {
  const type = events[0]!.type;
  const emitter = new Emittery<Record<string, DomainEvent>>();
  let handled = 0;
  emitter.on(type, async (_event) => {
    handled++;
  });
  const pool = events.length;
  return {
    once(n) {
      const target = handled + n;
      return throughput(n, async () => {
        for (let i = 0; i < n; i++) await emitter.emit(type, events[i % pool]!);
        await until(() => handled >= target, `${n} events handled by emittery`);
      });
    },
    close: async () => emitter.clearListeners(),
  };
}

/**
 * Warms every contender up, then measures them in turns (a b c, b c a, c a b,
 * …) and keeps each one's best, so a change in machine load during the
 * scenario hits every side alike instead of skewing their ratios.
 */
async function bestOfInTurns(plan: Plan, contenders: Contender[]): Promise<number[]> {
  try {
    for (const c of contenders) await c.once(plan.warmup);
    const best = contenders.map(() => 0);
    for (let run = 0; run < plan.runs; run++) {
      for (let k = 0; k < contenders.length; k++) {
        const i = (run + k) % contenders.length;
        best[i] = Math.max(best[i]!, await contenders[i]!.once(plan.count));
      }
    }
    return best;
  } finally {
    for (const c of contenders) await c.close();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const plan: Plan = ctx.quick ? { count: 50_000, warmup: 20_000, runs: 2 } : { count: 1_000_000, warmup: 200_000, runs: 7 };

  // (a) one subscription vs emittery, same events. (b) 1,000 subscriptions on distinct types, one
  // event per type (own id and type, the pool's metadata and data), vs the single-subscription figure.
  const single = ['bench.points.awarded'];
  const hot = makeEvents(single, HOT_POOL);
  const manyTypes = Array.from({ length: 1_000 }, (_, i) => `bench.type${i}.awarded`);
  const spread = manyTypes.map((type, i) => ({ ...hot[i % HOT_POOL]!, id: randomUUID(), type }));
  const [baseline, heraldOne, heraldMany] = (await bestOfInTurns(plan, [
    await emittery(hot),
    await herald(single, hot),
    await herald(manyTypes, spread),
  ])) as [number, number, number];
  ctx.log(`emittery 1.x awaited emit, async listener: ${fmt(baseline)} events/s`);
  ctx.log(`herald, 1 subscription: ${fmt(heraldOne)} events/s (${(heraldOne / baseline).toFixed(2)}× emittery)`);
  ctx.log(
    `herald, ${manyTypes.length} subscriptions on distinct types: ${fmt(heraldMany)} events/s ` +
      `(${(heraldMany / heraldOne).toFixed(2)}× 1 subscription)`,
  );

  const fastEnough = heraldOne >= 1_000_000;
  const a = result({
    scenario: 'in-memory-bus',
    metric: 'awaited publish, async handler',
    unit: 'events/s',
    herald: heraldOne,
    baseline,
    baselineName: 'emittery 1.x awaited emit',
    minRatio: 2,
    target: `≥ 1,000,000 events/s and ratio ≥ 2`,
  });
  a.met = a.met === true && fastEnough;
  return [
    a,
    result({
      scenario: 'in-memory-bus',
      metric: '1,000 subscriptions on distinct types',
      unit: 'events/s',
      herald: heraldMany,
      baseline: heraldOne,
      baselineName: 'herald, 1 subscription',
      minRatio: 0.5,
    }),
  ];
}

export const scenarios: Scenario[] = [{ name: 'in-memory-bus', run }];
