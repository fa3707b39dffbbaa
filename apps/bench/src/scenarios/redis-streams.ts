import { randomUUID } from 'node:crypto';
import { jsonCodec, type DomainEvent } from '@herald/core';
import { RedisStreamsEventBus } from '@herald/redis-streams';
import { Cluster, Redis } from 'ioredis';
import { HandledCounter, questEvents, result, throughput, windowed, type BenchContext, type BenchResult, type Scenario } from '../harness.js';

/**
 * Redis Streams end to end: ~400-byte events published and handled by one
 * consumer group (one member, an async handler), from the first publish to the
 * last event handled, in one process. Rows:
 *
 * (a) publish() → handled, ≤1,000 publishes in flight: Herald's `bus.publish()`
 *     against raw ioredis doing the same by hand: XADD of JSON.stringify, one
 *     consumer reading XREADGROUP with the same COUNT and BLOCK, JSON.parse,
 *     the same handler, XACK of each batch read. Target ratio ≥ 0.8.
 * (b) publishAll vs pipelined raw XADD, batches of 1,000 → handled.
 * (c) the same two rows on the local Redis Cluster (tooling/scripts/redis-cluster.sh,
 *     3 masters on 7001-7003) with 3 partitions / 3 raw streams, when it is up.
 *
 * Both sides get the same pre-built events, are warmed up, alternate and
 * report the best of N runs. Herald adds validation, its codec, core's
 * pattern filter and dispatch pipeline, heartbeats and per-entry bookkeeping.
 */

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLUSTER_NODES = [7001, 7002, 7003].map((port) => ({ host: '127.0.0.1', port }));
const POOL = 1024;
const BATCH = 1_000;
/** Publishes in flight at once in the publish() row, on both sides. */
const WINDOW = 1_000;
/** Entries one XREADGROUP asks for, on both sides (Herald: readAhead + concurrency). */
const COUNT = 200;
const BLOCK_MS = 100;
const CONCURRENCY = 100;
const REACHED_TIMEOUT_MS = 120_000;

export type Mode = 'single' | 'batched';
export type Target = { kind: 'standalone' } | { kind: 'cluster' };

export interface Side {
  name: string;
  once(mode: Mode, n: number): Promise<number>;
  close(): Promise<void>;
}

function connect(target: Target, name: string): Redis | Cluster {
  const client =
    target.kind === 'cluster' ? new Cluster(CLUSTER_NODES, { redisOptions: { connectionName: name } }) : new Redis(URL, { connectionName: name });
  // A slow slot refresh on a loaded machine is retried by ioredis; without a listener it would be an unhandled 'error'.
  client.on('error', () => {});
  return client;
}

export async function heraldSide(target: Target, prefix: string): Promise<Side> {
  const events = questEvents('bench.points.awarded', POOL);
  const cluster = target.kind === 'cluster' ? (connect(target, 'herald-bench-streams:user') as Cluster) : undefined;
  const bus = new RedisStreamsEventBus({
    redis: cluster ?? URL,
    prefix,
    partitions: cluster ? 3 : 1,
    connectionName: 'herald-bench-streams',
    blockMs: BLOCK_MS,
    readAhead: COUNT - CONCURRENCY,
  });
  const counter = new HandledCounter();
  await bus.subscribe<DomainEvent>('bench.points.*', async () => counter.hit(), { group: 'bench', concurrency: CONCURRENCY });
  await bus.connect();
  const batch: DomainEvent[] = [];
  return {
    name: 'herald',
    async once(mode, n) {
      const goal = counter.count + n;
      return throughput(n, async () => {
        if (mode === 'single') await windowed(n, WINDOW, (i) => bus.publish(events[i & (POOL - 1)]!));
        else {
          for (let sent = 0; sent < n; sent += BATCH) {
            batch.length = 0;
            for (let i = 0; i < Math.min(BATCH, n - sent); i++) batch.push(events[(sent + i) & (POOL - 1)]!);
            await bus.publishAll(batch);
          }
        }
        await counter.reached(goal, `${n} events handled by herald`, REACHED_TIMEOUT_MS);
      });
    },
    async close() {
      await bus.close();
      await cluster?.quit();
    },
  };
}

export async function rawSide(target: Target, prefix: string): Promise<Side> {
  const events = questEvents('bench.points.awarded', POOL);
  // One stream per master-spreading hash tag on a Cluster, as Herald's partitions.
  const streams = target.kind === 'cluster' ? [0, 1, 2].map((i) => `${prefix}stream:{${prefix}${i}}`) : [`${prefix}stream`];
  const pub = connect(target, 'herald-bench-streams-raw:publisher');
  for (const s of streams) await pub.xgroup('CREATE', s, 'bench', '$', 'MKSTREAM');
  const counter = new HandledCounter();
  const handler = async (_event: unknown): Promise<void> => counter.hit();
  let running = true;
  // One reader (own connection) per stream: a blocking read holds its connection.
  const readers = streams.map((stream) => {
    const conn = connect(target, 'herald-bench-streams-raw:reader');
    const loop = (async () => {
      while (running) {
        const reply = (await conn
          .xreadgroup('GROUP', 'bench', 'raw', 'COUNT', COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', stream, '>')
          .catch(() => null)) as Array<[string, Array<[string, string[]]>]> | null;
        if (!reply) continue;
        const ids: string[] = [];
        await Promise.all(
          reply[0]![1].map(([id, fields]) => {
            ids.push(id);
            return handler(JSON.parse(fields[1]!));
          }),
        );
        await pub.xack(stream, 'bench', ...ids);
      }
    })();
    return { conn, loop };
  });
  const streamOf = (i: number) => streams[i % streams.length]!;
  return {
    name: 'ioredis',
    async once(mode, n) {
      const goal = counter.count + n;
      return throughput(n, async () => {
        if (mode === 'single') {
          await windowed(n, WINDOW, (i) => pub.xadd(streamOf(i), '*', 'e', JSON.stringify(events[i & (POOL - 1)])));
        } else {
          for (let sent = 0; sent < n; sent += BATCH) {
            const size = Math.min(BATCH, n - sent);
            // A pipeline per stream (one slot each on a Cluster).
            await Promise.all(
              streams.map((stream, s) => {
                const p = pub.pipeline();
                for (let i = s; i < size; i += streams.length) p.xadd(stream, '*', 'e', JSON.stringify(events[(sent + i) & (POOL - 1)]));
                return p.exec();
              }),
            );
          }
        }
        await counter.reached(goal, `${n} events handled by raw ioredis`, REACHED_TIMEOUT_MS);
      });
    },
    async close() {
      running = false;
      for (const r of readers) r.conn.disconnect();
      await Promise.allSettled(readers.map((r) => r.loop));
      for (const s of streams) await pub.del(s);
      await pub.quit();
    },
  };
}

async function alternating(sides: [Side, Side], mode: Mode, n: number, runs: number, ctx: BenchContext, label: string): Promise<number[]> {
  const best = [-Infinity, -Infinity];
  for (let r = 0; r < runs; r++) {
    for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const rate = await sides[i]!.once(mode, n);
      ctx.log(`${label} ${mode} run ${r + 1}: ${sides[i]!.name} ${Math.round(rate).toLocaleString('en-US')} events/s`);
      best[i] = Math.max(best[i]!, rate);
    }
  }
  return best;
}

async function rows(target: Target, ctx: BenchContext): Promise<BenchResult[]> {
  const count = ctx.quick ? 10_000 : 50_000;
  const runs = ctx.quick ? 2 : 5;
  const size = jsonCodec.encode(questEvents('bench.points.awarded', 1)[0]!).byteLength;
  const where = target.kind === 'cluster' ? ' (Cluster, 3 masters, 3 partitions)' : '';
  const prefix = `herald-bench:${randomUUID().slice(0, 8)}:`;
  const herald = await heraldSide(target, `${prefix}h:`);
  const raw = await rawSide(target, `${prefix}r:`);
  const sides: [Side, Side] = [herald, raw];
  try {
    for (const mode of ['single', 'batched'] as const) {
      await raw.once(mode, count / 5);
      await herald.once(mode, count / 5);
    }
    const [hSingle, rSingle] = await alternating(sides, 'single', count, runs, ctx, target.kind);
    const [hBatch, rBatch] = await alternating(sides, 'batched', count, runs, ctx, target.kind);
    const events = `${count.toLocaleString('en-US')} events of ${size} B`;
    return [
      result({
        scenario: 'redis-streams',
        metric: `publish() → handled, ≤${WINDOW.toLocaleString('en-US')} in flight, one group${where}, ${events}`,
        unit: 'events/s',
        herald: hSingle!,
        baseline: rSingle!,
        baselineName: `raw ioredis XADD / XREADGROUP COUNT ${COUNT} BLOCK ${BLOCK_MS} / JSON.parse / XACK`,
        minRatio: 0.8,
      }),
      result({
        scenario: 'redis-streams',
        metric: `publishAll vs pipelined XADD, batches of ${BATCH.toLocaleString('en-US')} → handled${where}, ${events}`,
        unit: 'events/s',
        herald: hBatch!,
        baseline: rBatch!,
        baselineName: 'raw ioredis pipelined XADD, same consumer',
        minRatio: 0.8,
      }),
    ];
  } finally {
    await herald.close();
    await raw.close();
  }
}

async function clusterUp(): Promise<boolean> {
  const probe = new Redis({ port: 7001, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return /cluster_state:ok/.test(await probe.cluster('INFO'));
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const out = await rows({ kind: 'standalone' }, ctx);
  if (await clusterUp()) out.push(...(await rows({ kind: 'cluster' }, ctx)));
  else ctx.log('cluster rows skipped: start it with `bash tooling/scripts/redis-cluster.sh start`');
  return out;
}

export const scenarios: Scenario[] = [{ name: 'redis-streams', requires: ['redis'], run }];
