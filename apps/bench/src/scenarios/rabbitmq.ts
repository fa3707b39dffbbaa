import { jsonCodec, type BaseEvent } from '@herald/core';
import { RabbitMQEventBus } from '@herald/rabbitmq';
import amqp from 'amqplib';
import { HandledCounter, percentile, questEvents, result, uniqueName, windowed, type BenchContext, type BenchResult, type Scenario } from '../harness.js';

/** Bound on waiting for every event of a run to be handled. */
const REACHED_TIMEOUT_MS = 180_000;

/**
 * RabbitMQ end to end: confirmed, persistent, acknowledged. Events of ~400
 * bytes go from a publisher connection through a durable topic exchange into
 * a durable group queue and are handled by an async handler on a consumer
 * connection; the clock runs from the first publish to the last event handled.
 *
 * Baseline, in the same run: raw amqplib doing the same job by hand — a
 * confirm channel on one connection (persistent messages with messageId,
 * contentType, timestamp and correlation headers, a window of confirms), a
 * consumer channel on another with the same prefetch, JSON.parse, the same
 * async handler, an ack per message. Herald adds validation, its codec (dates
 * revived, prototype-safe), the dispatch pipeline and its delivery queue.
 *
 * (a) `publish`, up to 1,000 unconfirmed publishes and 1,000 unacknowledged
 *     deliveries in flight. Target: ratio ≥ 0.9.
 * (b) `publishAll` in batches of 1,000 (raw: 1,000 publishes, then
 *     waitForConfirms). Target: ratio ≥ 0.9.
 * (c) publish → handled latency, p50 and p99, at a steady 1,000 events/s.
 *     No target: reported for comparison.
 *
 * Each side gets its own exchange and queue, deleted afterwards. Sides
 * alternate and the best of N runs is reported, so neither always runs on a
 * warmer broker.
 */

const URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/%2f';

/** Where a run goes: the single broker (classic queues) or a cluster's nodes (rabbitmq-cluster.ts, quorum). */
export interface RabbitTarget {
  scenario: string;
  /** Herald gets all of them; the raw side connects to the first, where Herald connects too. */
  urls: string[];
  queueType: 'classic' | 'quorum';
  /** Events per measured run and runs per side, full and --quick. */
  sizes: { n: number; runs: number; latencyN: number; quick: { n: number; runs: number; latencyN: number } };
  /** Also measure publishAll batches. */
  batched: boolean;
}

const SINGLE: RabbitTarget = {
  scenario: 'rabbitmq',
  urls: [URL],
  queueType: 'classic',
  sizes: { n: 50_000, runs: 5, latencyN: 10_000, quick: { n: 5_000, runs: 1, latencyN: 2_000 } },
  batched: true,
};
const POOL = 1_024;
const WINDOW = 1_000;
const BATCH = 1_000;

/** The handler both sides run. */
const work = async (_event: unknown): Promise<void> => {};

interface Side {
  name: string;
  /** (a) n events, ≤ WINDOW publishes in flight; events/s from first publish to last handled. */
  single(n: number): Promise<number>;
  /** (b) n events in batches of BATCH, one batch in flight; events/s. */
  batched(n: number): Promise<number>;
  /** (c) publish → handled latency (ms) of n events published at `rate`/s. */
  latency(n: number, rate: number): Promise<number[]>;
  close(): Promise<void>;
}

async function heraldSide(target: RabbitTarget): Promise<Side> {
  const prefix = `${uniqueName('bench.herald')}.`;
  const bus = new RabbitMQEventBus({ urls: target.urls, queueType: target.queueType, prefix, prefetch: WINDOW, publishTimeoutMs: 60_000 });
  const events = questEvents('bench.rabbit.item', POOL);
  const counter = new HandledCounter();
  let onHandled: ((event: BaseEvent) => void) | undefined;
  await bus.subscribe(
    'bench.rabbit.#',
    async (event) => {
      await work(event);
      onHandled?.(event);
      counter.hit();
    },
    { group: 'bench', concurrency: 1 },
  );
  const run = async (n: number, publish: () => Promise<void>) => {
    const target = counter.count + n;
    const started = performance.now();
    await publish();
    await counter.reached(target, `${n} events handled by herald`, REACHED_TIMEOUT_MS);
    return n / ((performance.now() - started) / 1000);
  };
  return {
    name: 'herald',
    single: (n) => run(n, () => windowed(n, WINDOW, (i) => bus.publish(events[i % POOL]!))),
    batched: (n) =>
      run(n, async () => {
        for (let off = 0; off < n; off += BATCH) {
          const batch: BaseEvent[] = [];
          for (let i = off; i < Math.min(n, off + BATCH); i++) batch.push(events[i % POOL]!);
          await bus.publishAll(batch);
        }
      }),
    latency: (n, rate) =>
      steady(n, rate, counter, (e) => bus.publish(e), (hook) => {
        onHandled = hook;
      }),
    async close() {
      const declared = bus.declaredTopology();
      try {
        await bus.close();
      } finally {
        await deleteAll(target.urls[0]!, declared.queues, declared.exchanges);
      }
    },
  };
}

async function rawSide(target: RabbitTarget): Promise<Side> {
  const url = target.urls[0]!;
  const name = uniqueName('bench.raw');
  const exchange = `${name}.events`;
  const queue = `${name}.bench`;
  const pubConn = await amqp.connect(url);
  const subConn = await amqp.connect(url);
  // A connection the broker closes (another process's fault test on a shared broker) must fail
  // the run: amqplib leaves waitForConfirms pending then, and with nothing else to wait for the
  // process would exit mid-run. Every measured run races `lost`.
  let closing = false;
  const lost = new Promise<never>((_, reject) => {
    for (const conn of [pubConn, subConn]) {
      conn.on('error', () => {});
      conn.on('close', () => {
        if (!closing) reject(new Error('bench: an amqplib connection was closed by the broker during the run'));
      });
    }
  });
  lost.catch(() => {});
  const pub = await pubConn.createConfirmChannel();
  const sub = await subConn.createChannel();
  for (const ch of [pub, sub]) ch.on('error', () => {});
  await pub.assertExchange(exchange, 'topic', { durable: true });
  await sub.assertQueue(queue, target.queueType === 'quorum' ? { durable: true, arguments: { 'x-queue-type': 'quorum' } } : { durable: true });
  await sub.bindQueue(queue, exchange, 'bench.rabbit.#');
  await sub.prefetch(WINDOW);
  const events = questEvents('bench.rabbit.item', POOL);
  const counter = new HandledCounter();
  let onHandled: ((event: BaseEvent) => void) | undefined;
  await sub.consume(queue, (msg) => {
    if (!msg) return;
    const event = JSON.parse(msg.content.toString('utf8')) as BaseEvent;
    void work(event).then(() => {
      onHandled?.(event);
      sub.ack(msg);
      counter.hit();
    });
  });
  let writable = true;
  const drained: Array<() => void> = [];
  pub.on('drain', () => {
    writable = true;
    for (const d of drained.splice(0)) d();
  });
  const write = async (e: BaseEvent, confirm?: (err: unknown) => void): Promise<void> => {
    while (!writable) await new Promise<void>((r) => drained.push(r));
    const ok = pub.publish(
      exchange,
      e.type,
      Buffer.from(JSON.stringify(e)),
      {
        persistent: true,
        messageId: e.id,
        contentType: 'application/json',
        timestamp: Math.floor(e.timestamp.getTime() / 1000),
        type: e.type,
        correlationId: e.metadata.correlationId,
        headers: { 'x-correlation-id': e.metadata.correlationId },
      },
      confirm,
    );
    if (!ok) writable = false;
  };
  const publishOne = (e: BaseEvent) =>
    new Promise<void>((resolve, reject) => {
      write(e, (err) => (err ? reject(err) : resolve())).catch(reject);
    });
  const run = async (n: number, publish: () => Promise<void>) => {
    const target = counter.count + n;
    const started = performance.now();
    await Promise.race([lost, publish().then(() => counter.reached(target, `${n} events handled by raw amqplib`, REACHED_TIMEOUT_MS))]);
    return n / ((performance.now() - started) / 1000);
  };
  return {
    name: 'amqplib',
    single: (n) => run(n, () => windowed(n, WINDOW, (i) => publishOne(events[i % POOL]!))),
    batched: (n) =>
      run(n, async () => {
        for (let off = 0; off < n; off += BATCH) {
          for (let i = off; i < Math.min(n, off + BATCH); i++) await write(events[i % POOL]!);
          await pub.waitForConfirms();
        }
      }),
    latency: (n, rate) =>
      Promise.race([
        lost,
        steady(n, rate, counter, publishOne, (hook) => {
          onHandled = hook;
        }),
      ]),
    async close() {
      closing = true;
      // Channels and connections may already be gone; the exchange and queue are deleted regardless.
      await sub.close().catch(() => {});
      await pub.close().catch(() => {});
      try {
        await deleteAll(url, [queue], [exchange]);
      } finally {
        await subConn.close().catch(() => {});
        await pubConn.close().catch(() => {});
      }
    },
  };
}

/**
 * Publishes n fresh events at a steady rate (a tick every 10 ms) and records,
 * per event, the time from the publish call to the handler running.
 */
async function steady(
  n: number,
  rate: number,
  counter: HandledCounter,
  publish: (e: BaseEvent) => Promise<void>,
  hook: (onHandled: ((event: BaseEvent) => void) | undefined) => void,
): Promise<number[]> {
  const events = questEvents('bench.rabbit.latency', n);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  hook((event) => {
    const t = sentAt.get(event.id);
    if (t !== undefined) latencies.push(performance.now() - t);
  });
  const target = counter.count + n;
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const started = performance.now();
  const pending: Promise<void>[] = [];
  // The first failed publish ends the run (handled at once: never an unhandled rejection while ticking).
  let failed: { error: unknown } | undefined;
  for (let sent = 0, tick = 0; sent < n; tick++) {
    if (failed) throw failed.error;
    const due = started + tick * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (let k = 0; k < perTick && sent < n; k++, sent++) {
      const e = events[sent]!;
      sentAt.set(e.id, performance.now());
      const published = publish(e);
      published.catch((error: unknown) => {
        failed ??= { error };
      });
      pending.push(published);
    }
  }
  await Promise.all(pending);
  await counter.reached(target, 'latency events to be handled', REACHED_TIMEOUT_MS);
  hook(undefined);
  return latencies.sort((a, b) => a - b);
}

async function deleteAll(url: string, queues: string[], exchanges: string[]): Promise<void> {
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createChannel();
    for (const q of queues) await ch.deleteQueue(q);
    for (const e of exchanges) await ch.deleteExchange(e);
    await ch.close();
  } finally {
    await conn.close();
  }
}

async function bestAlternating(
  n: number,
  runs: number,
  sides: [Side, Side],
  measure: (side: Side) => Promise<number>,
  ctx: BenchContext,
  label: string,
): Promise<[number, number]> {
  const best: [number, number] = [0, 0];
  for (let r = 0; r < runs; r++) {
    const order: Array<0 | 1> = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      const cpu = process.cpuUsage();
      const v = await measure(sides[i]!);
      const used = process.cpuUsage(cpu);
      ctx.log(
        `${label} run ${r + 1}: ${sides[i]!.name} ${Math.round(v).toLocaleString('en-US')} events/s, ` +
          `client CPU ${((used.user + used.system) / n).toFixed(1)} µs/event`,
      );
      best[i] = Math.max(best[i], v);
    }
  }
  return best;
}

/** Measures `target`: Herald and raw amqplib side by side in one run. */
export async function runRabbit(ctx: BenchContext, target: RabbitTarget): Promise<BenchResult[]> {
  const { n, runs, latencyN } = ctx.quick ? target.sizes.quick : target.sizes;
  const encoded = jsonCodec.encode(questEvents('bench.rabbit.item', POOL)[0]!).byteLength;
  ctx.log(`${n.toLocaleString('en-US')} events of ~${encoded} bytes, best of ${runs}`);
  const herald = await heraldSide(target);
  const raw = await rawSide(target).catch(async (error: unknown) => {
    await herald.close();
    throw error;
  });
  const sides: [Side, Side] = [herald, raw];
  try {
    // Warm-up: connections, JIT, queues.
    await herald.single(Math.min(n, 5_000));
    await raw.single(Math.min(n, 5_000));

    const [hSingle, rSingle] = await bestAlternating(n, runs, sides, (s) => s.single(n), ctx, 'publish');
    const batched = target.batched ? await bestAlternating(n, runs, sides, (s) => s.batched(n), ctx, 'publishAll') : undefined;

    const hLat = await herald.latency(latencyN, 1_000);
    const rLat = await raw.latency(latencyN, 1_000);
    const p = (l: number[], q: number) => percentile(l, q);
    ctx.log(`latency herald p50 ${p(hLat, 50).toFixed(2)} ms p99 ${p(hLat, 99).toFixed(2)} ms; amqplib p50 ${p(rLat, 50).toFixed(2)} ms p99 ${p(rLat, 99).toFixed(2)} ms`);

    const scenario = target.scenario;
    const out = [
      result({
        scenario,
        metric: `publish→handled, ≤${WINDOW} in flight, confirmed+persistent+acked`,
        herald: hSingle,
        baseline: rSingle,
        baselineName: 'amqplib',
        unit: 'events/s',
        minRatio: 0.9,
      }),
      result({
        scenario,
        metric: 'latency p50 at 1,000 events/s',
        herald: p(hLat, 50),
        baseline: p(rLat, 50),
        baselineName: 'amqplib',
        unit: 'ms',
        higherIsBetter: false,
      }),
      result({
        scenario,
        metric: 'latency p99 at 1,000 events/s',
        herald: p(hLat, 99),
        baseline: p(rLat, 99),
        baselineName: 'amqplib',
        unit: 'ms',
        higherIsBetter: false,
      }),
    ];
    if (batched) {
      out.splice(
        1,
        0,
        result({
          scenario,
          metric: `publishAll batches of ${BATCH}→handled`,
          herald: batched[0],
          baseline: batched[1],
          baselineName: 'amqplib',
          unit: 'events/s',
          minRatio: 0.9,
        }),
      );
    }
    return out;
  } finally {
    // Both, even when one fails: each deletes the exchanges and queues it declared.
    const closed = await Promise.allSettled([herald.close(), raw.close()]);
    for (const c of closed) if (c.status === 'rejected') ctx.log(`clean-up failed: ${String(c.reason)}`);
  }
}

export const scenarios: Scenario[] = [{ name: 'rabbitmq', requires: ['rabbitmq'], run: (ctx) => runRabbit(ctx, SINGLE) }];
