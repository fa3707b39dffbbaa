import { randomUUID } from 'node:crypto';
import { jsonCodec, type DomainEvent } from '@herald/core';
import { RedisPubSubEventBus } from '@herald/redis-pubsub';
import { Redis } from 'ioredis';
import { HandledCounter, questEvents, result, throughput, windowed, type BenchContext, type BenchResult, type Scenario } from '../harness.js';

/** Bound on waiting for every event of a run to be handled. */
const REACHED_TIMEOUT_MS = 120_000;

/**
 * Redis pub/sub end to end: events of ~400 bytes published and handled by an
 * async handler, counted from the first publish to the last event handled, in
 * one process against the local Redis. Two rows, both ratio ≥ 0.9:
 *
 * (a) publish() → handled, like for like: Herald's `bus.publish()` one event at
 *     a time with up to 1,000 in flight, against raw ioredis `publish()` with
 *     the same concurrency. Same events, same handler.
 * (b) publishAll vs pipeline: Herald's `publishAll` in batches of 1,000 (sent
 *     as EVAL of a Lua loop of PUBLISH, a script per chunk) against raw
 *     ioredis doing the same batches as one pipeline of PUBLISH each. Not the
 *     same wire format: this row shows what the batch API buys, (a) the cost
 *     of the bus itself.
 *
 * The baseline is raw ioredis doing the job by hand: one publishing and one
 * subscriber connection, PSUBSCRIBE, JSON.stringify / JSON.parse, the same
 * async handler. Herald adds validation, its codec (dates revived,
 * prototype-safe), core's pattern filter and the per-subscription queue.
 *
 * Both sides get the same pre-built events, are warmed up, and report the best
 * of N runs. The sides alternate (and swap who goes first) so neither always
 * runs on a warmer Redis or a quieter machine. Client CPU time per event is
 * reported too: on a busy machine it is a steadier comparison than wall clock.
 */

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const POOL = 1024;
const BATCH = 1_000;
/** Publishes in flight at once in the publish() row, on both sides. */
const WINDOW = 1_000;

export type Mode = 'single' | 'batched';

export interface Side {
  name: string;
  /**
   * Publishes `n` events and waits until all were handled; events/s from the
   * first publish to the last event handled. 'single': one publish per event,
   * at most WINDOW in flight. 'batched': batches of BATCH, one at a time.
   */
  once(mode: Mode, n: number): Promise<number>;
  close(): Promise<void>;
}

/** One measured run: events/s (wall clock) and this process's CPU time per event in µs. */
async function measure(side: Side, mode: Mode, n: number): Promise<{ rate: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  const rate = await side.once(mode, n);
  const used = process.cpuUsage(cpu);
  return { rate, cpuUs: (used.user + used.system) / n };
}

export async function heraldSide(prefix: string): Promise<Side> {
  const type = 'bench.points.awarded';
  const events = questEvents(type, POOL);
  const bus = new RedisPubSubEventBus({ redis: URL, prefix, connectionName: 'herald-bench' });
  const counter = new HandledCounter();
  await bus.subscribe<DomainEvent>('bench.points.*', async (_event) => {
    counter.hit();
  });
  await bus.connect();
  const batch: DomainEvent[] = new Array(BATCH);
  const publishAll = async (n: number) => {
    for (let sent = 0; sent < n; sent += BATCH) {
      const size = Math.min(BATCH, n - sent);
      batch.length = size;
      for (let i = 0; i < size; i++) batch[i] = events[(sent + i) & (POOL - 1)]!;
      await bus.publishAll(batch);
    }
  };
  return {
    name: 'herald',
    async once(mode, n) {
      const target = counter.count + n;
      return throughput(n, async () => {
        if (mode === 'single') await windowed(n, WINDOW, (i) => bus.publish(events[i & (POOL - 1)]!));
        else await publishAll(n);
        await counter.reached(target, `${n} events handled by herald`, REACHED_TIMEOUT_MS);
      });
    },
    close: () => bus.close(),
  };
}

export async function rawSide(prefix: string): Promise<Side> {
  const channel = `${prefix}bench.points.awarded`;
  const events = questEvents('bench.points.awarded', POOL);
  const pub = new Redis(URL, { connectionName: 'herald-bench-raw:publisher' });
  const sub = new Redis(URL, { connectionName: 'herald-bench-raw:subscriber' });
  const counter = new HandledCounter();
  const handler = async (_event: unknown): Promise<void> => {
    counter.hit();
  };
  sub.on('pmessageBuffer', (_pattern: string, _channel: Buffer, message: Buffer) => {
    void handler(JSON.parse(message.toString('utf8')));
  });
  await sub.psubscribe(`${prefix}bench.points.*`);
  const pipelined = async (n: number) => {
    for (let sent = 0; sent < n; sent += BATCH) {
      const size = Math.min(BATCH, n - sent);
      const pipeline = pub.pipeline();
      for (let i = 0; i < size; i++) pipeline.publish(channel, JSON.stringify(events[(sent + i) & (POOL - 1)]));
      await pipeline.exec();
    }
  };
  return {
    name: 'ioredis',
    async once(mode, n) {
      const target = counter.count + n;
      return throughput(n, async () => {
        if (mode === 'single') await windowed(n, WINDOW, (i) => pub.publish(channel, JSON.stringify(events[i & (POOL - 1)])));
        else await pipelined(n);
        await counter.reached(target, `${n} events handled by raw ioredis`, REACHED_TIMEOUT_MS);
      });
    },
    async close() {
      sub.disconnect();
      await pub.quit();
    },
  };
}

/**
 * Best rate and lowest CPU per event of `runs` runs of each side, the sides
 * taking turns and swapping who goes first each run, so a change in machine
 * load hits both alike.
 */
async function alternating(
  sides: [Side, Side],
  mode: Mode,
  n: number,
  runs: number,
  ctx: BenchContext,
): Promise<Array<{ rate: number; cpuUs: number }>> {
  const best = sides.map(() => ({ rate: -Infinity, cpuUs: Infinity }));
  for (let r = 0; r < runs; r++) {
    for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const m = await measure(sides[i]!, mode, n);
      ctx.log(`${mode} run ${r + 1}: ${sides[i]!.name} ${Math.round(m.rate).toLocaleString('en-US')} events/s, ${m.cpuUs.toFixed(2)} µs CPU/event`);
      best[i]!.rate = Math.max(best[i]!.rate, m.rate);
      best[i]!.cpuUs = Math.min(best[i]!.cpuUs, m.cpuUs);
    }
  }
  return best;
}

async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const count = ctx.quick ? 20_000 : 100_000;
  const warmup = ctx.quick ? 10_000 : 50_000;
  const runs = ctx.quick ? 2 : 7;
  const size = jsonCodec.encode(questEvents('bench.points.awarded', POOL)[0]!).byteLength;
  const events = `${count.toLocaleString('en-US')} events of ${size} B`;
  ctx.log(`event size: ${size} bytes encoded; ${count.toLocaleString('en-US')} events per run, best of ${runs}`);

  const prefix = `herald-bench:${randomUUID().slice(0, 8)}:`;
  const herald = await heraldSide(`${prefix}h:`);
  const raw = await rawSide(`${prefix}r:`);
  const sides: [Side, Side] = [herald, raw];
  try {
    for (const mode of ['single', 'batched'] as const) {
      await raw.once(mode, warmup);
      await herald.once(mode, warmup);
    }
    const [hSingle, rSingle] = await alternating(sides, 'single', count, runs, ctx);
    const [hBatch, rBatch] = await alternating(sides, 'batched', count, runs, ctx);
    const singleBaseline = `raw ioredis publish(), ≤${WINDOW.toLocaleString('en-US')} in flight`;
    const batchBaseline = `raw ioredis pipelined publish, ${BATCH.toLocaleString('en-US')} a pipeline`;
    return [
      // Like for like: one publish per event on both sides, the same concurrency.
      result({
        scenario: 'redis-pubsub',
        metric: `publish() → handled, ≤${WINDOW.toLocaleString('en-US')} in flight, ${events}`,
        unit: 'events/s',
        herald: hSingle!.rate,
        baseline: rSingle!.rate,
        baselineName: singleBaseline,
        minRatio: 0.9,
      }),
      // Different wire formats: Herald's batch is EVAL of a Lua loop of PUBLISH (a script per
      // chunk), the baseline a pipeline of plain PUBLISH commands.
      result({
        scenario: 'redis-pubsub',
        metric: `publishAll vs pipeline, batches of ${BATCH.toLocaleString('en-US')} → handled, ${events}`,
        unit: 'events/s',
        herald: hBatch!.rate,
        baseline: rBatch!.rate,
        baselineName: batchBaseline,
        minRatio: 0.9,
      }),
      // Less sensitive to other load on the machine than wall-clock throughput.
      result({
        scenario: 'redis-pubsub',
        metric: 'client CPU per event, publish() → handled',
        unit: 'µs',
        herald: hSingle!.cpuUs,
        baseline: rSingle!.cpuUs,
        baselineName: singleBaseline,
        higherIsBetter: false,
      }),
      result({
        scenario: 'redis-pubsub',
        metric: 'client CPU per event, publishAll vs pipeline → handled',
        unit: 'µs',
        herald: hBatch!.cpuUs,
        baseline: rBatch!.cpuUs,
        baselineName: batchBaseline,
        higherIsBetter: false,
      }),
    ];
  } finally {
    await herald.close();
    await raw.close();
  }
}

export const scenarios: Scenario[] = [{ name: 'redis-pubsub', requires: ['redis'], run }];
