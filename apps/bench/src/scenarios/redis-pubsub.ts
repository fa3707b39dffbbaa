import { randomUUID } from 'node:crypto';
import { createDomainEvent, jsonCodec, type DomainEvent } from '@herald/core';
import { RedisPubSubEventBus } from '@herald/redis-pubsub';
import { Redis } from 'ioredis';
import { result, throughput, type BenchContext, type BenchResult, type Scenario } from '../harness.js';

/**
 * Redis pub/sub end to end: events of ~400 bytes published in pipelined
 * batches and handled by an async handler, counted from the first publish to
 * the last event handled, in one process against the local Redis.
 *
 * Baseline, in the same run: raw ioredis doing the same job by hand — one
 * publishing and one subscriber connection, PSUBSCRIBE, the same batches as
 * one pipeline each, and a subscriber that JSON-parses each message and calls
 * the same async handler. Herald adds validation, its codec (dates revived,
 * prototype-safe), core's pattern filter and the per-subscription queue.
 *
 * Both sides get the same pre-built events, are warmed up, and report the best
 * of N runs. The sides alternate so neither always runs on a warmer Redis.
 * The client CPU time per event is reported too: on a busy machine it is a
 * steadier comparison than wall-clock throughput.
 */

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const POOL = 1024;
const BATCH = 1_000;

function makeEvents(type: string): DomainEvent[] {
  const events: DomainEvent[] = [];
  for (let i = 0; i < POOL; i++) {
    events.push(
      createDomainEvent({
        type,
        aggregateId: `player-${i % 97}`,
        aggregateType: 'player',
        data: {
          points: i,
          reason: 'quest-completed',
          tags: ['daily', 'bonus'],
          quest: { id: `q-${i % 31}`, tier: 'gold', attempts: 1 + (i % 5) },
        },
        version: 1 + (i % 50),
        metadata: { source: 'bench', environment: 'bench', userId: `user-${i % 13}` },
      }),
    );
  }
  return events;
}

/** Resolves when `done()` holds, checking after every macrotask; bounded. */
async function until(done: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

interface Side {
  /** Publishes `n` events in batches and waits until all were handled; events/s. */
  once(n: number): Promise<number>;
  close(): Promise<void>;
}

/** One measured run: events/s (wall clock) and this process's CPU time per event in µs. */
async function measure(side: Side, n: number): Promise<{ rate: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  const rate = await side.once(n);
  const used = process.cpuUsage(cpu);
  return { rate, cpuUs: (used.user + used.system) / n };
}

async function heraldSide(prefix: string): Promise<Side> {
  const type = 'bench.points.awarded';
  const events = makeEvents(type);
  const bus = new RedisPubSubEventBus({ redis: URL, prefix, connectionName: 'herald-bench' });
  let handled = 0;
  await bus.subscribe<DomainEvent>('bench.points.*', async (_event) => {
    handled++;
  });
  await bus.connect();
  const batch: DomainEvent[] = new Array(BATCH);
  return {
    async once(n) {
      const target = handled + n;
      return throughput(n, async () => {
        for (let sent = 0; sent < n; sent += BATCH) {
          const size = Math.min(BATCH, n - sent);
          batch.length = size;
          for (let i = 0; i < size; i++) batch[i] = events[(sent + i) & (POOL - 1)]!;
          await bus.publishAll(batch);
        }
        await until(() => handled >= target, `${n} events handled by herald`);
      });
    },
    close: () => bus.close(),
  };
}

async function rawSide(prefix: string): Promise<Side> {
  const channel = `${prefix}bench.points.awarded`;
  const events = makeEvents('bench.points.awarded');
  const pub = new Redis(URL, { connectionName: 'herald-bench-raw:publisher' });
  const sub = new Redis(URL, { connectionName: 'herald-bench-raw:subscriber' });
  let handled = 0;
  const handler = async (_event: unknown): Promise<void> => {
    handled++;
  };
  sub.on('pmessageBuffer', (_pattern: string, _channel: Buffer, message: Buffer) => {
    void handler(JSON.parse(message.toString('utf8')));
  });
  await sub.psubscribe(`${prefix}bench.points.*`);
  return {
    async once(n) {
      const target = handled + n;
      return throughput(n, async () => {
        for (let sent = 0; sent < n; sent += BATCH) {
          const size = Math.min(BATCH, n - sent);
          const pipeline = pub.pipeline();
          for (let i = 0; i < size; i++) pipeline.publish(channel, JSON.stringify(events[(sent + i) & (POOL - 1)]));
          await pipeline.exec();
        }
        await until(() => handled >= target, `${n} events handled by raw ioredis`);
      });
    },
    async close() {
      sub.disconnect();
      await pub.quit();
    },
  };
}

async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const count = ctx.quick ? 20_000 : 100_000;
  const warmup = ctx.quick ? 10_000 : 50_000;
  const runs = ctx.quick ? 2 : 7;
  const size = jsonCodec.encode(makeEvents('bench.points.awarded')[0]!).byteLength;
  ctx.log(`event size: ${size} bytes encoded; ${count.toLocaleString('en-US')} events per run, batches of ${BATCH}`);

  const prefix = `herald-bench:${randomUUID().slice(0, 8)}:`;
  const herald = await heraldSide(`${prefix}h:`);
  const raw = await rawSide(`${prefix}r:`);
  try {
    await raw.once(warmup);
    await herald.once(warmup);
    let bestRaw = -Infinity;
    let bestHerald = -Infinity;
    let cpuRaw = Infinity;
    let cpuHerald = Infinity;
    for (let i = 0; i < runs; i++) {
      const r = await measure(raw, count);
      const h = await measure(herald, count);
      bestRaw = Math.max(bestRaw, r.rate);
      bestHerald = Math.max(bestHerald, h.rate);
      cpuRaw = Math.min(cpuRaw, r.cpuUs);
      cpuHerald = Math.min(cpuHerald, h.cpuUs);
    }
    ctx.log(`raw ioredis publish/psubscribe: ${Math.round(bestRaw).toLocaleString('en-US')} events/s, ${cpuRaw.toFixed(2)} µs CPU/event`);
    ctx.log(`herald RedisPubSubEventBus:     ${Math.round(bestHerald).toLocaleString('en-US')} events/s, ${cpuHerald.toFixed(2)} µs CPU/event`);
    return [
      result({
        scenario: 'redis-pubsub',
        metric: `publish → handled, ${count.toLocaleString('en-US')} events of ${size} B`,
        unit: 'events/s',
        herald: bestHerald,
        baseline: bestRaw,
        baselineName: 'raw ioredis publish/psubscribe',
        minRatio: 0.9,
      }),
      // Less sensitive to other load on the machine than wall-clock throughput.
      result({
        scenario: 'redis-pubsub',
        metric: 'client CPU per event (publish + handle)',
        unit: 'µs',
        herald: cpuHerald,
        baseline: cpuRaw,
        baselineName: 'raw ioredis publish/psubscribe',
        higherIsBetter: false,
      }),
    ];
  } finally {
    await herald.close();
    await raw.close();
  }
}

export const scenarios: Scenario[] = [{ name: 'redis-pubsub', requires: ['redis'], run }];
