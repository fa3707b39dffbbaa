import { createDomainEvent, type DomainEvent } from '@herald/core';
import { RedisEventStore } from '@herald/redis-store';
import { Redis } from 'ioredis';
import { deepPageResult, pageMicros, result, throughput, uniqueName, type BenchContext, type BenchResult, type Scenario } from '../harness.js';
import { interleavedBestOf } from '../interleaved.js';
import { deletePrefix } from '../redis-cleanup.js';

/**
 * Redis store:
 * - single-event appends over 1,000 streams with 64 in flight (exact expected
 *   versions; each of the 64 workers owns its streams, so nothing conflicts),
 *   against the leanest equivalent by hand: one EVALSHA per append of a script that
 *   checks the version, takes a position and writes the JSON — no validation, no
 *   Date-exact codec, no key encoding;
 * - `getAllEvents` page of 100 deep in a large log vs at its start;
 * - reading a whole 10,000-event stream, against a raw script read + JSON.parse.
 * Every key lives under a unique prefix and is deleted (SCAN + UNLINK) afterwards.
 */

const HOST = process.env.REDIS_EVENT_STORE_HOST ?? '127.0.0.1';
const PORT = Number(process.env.REDIS_EVENT_STORE_PORT ?? 6379);
const STREAMS = 1_000;
const IN_FLIGHT = 64;

const RAW_APPEND = `
local v = redis.call('LLEN', KEYS[1])
if v ~= tonumber(ARGV[1]) then return {0, v} end
local p = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], p, ARGV[2])
redis.call('RPUSH', KEYS[1], p)
return {1, v + 1, p}
`;

const RAW_READ = `
local ps = redis.call('LRANGE', KEYS[1], 0, -1)
local out = {}
for i = 1, #ps, 1000 do
  local r = redis.call('HMGET', KEYS[2], unpack(ps, i, math.min(i + 999, #ps)))
  for k = 1, #r do out[#out + 1] = r[k] end
end
return out
`;

interface RawClient extends Redis {
  benchRawAppend(stream: string, log: string, head: string, expected: number, json: string): Promise<[number, number, number?]>;
  benchRawRead(stream: string, log: string): Promise<string[]>;
}

function rawClient(): RawClient {
  const client = new Redis({ host: HOST, port: PORT }) as RawClient;
  client.defineCommand('benchRawAppend', { numberOfKeys: 3, lua: RAW_APPEND });
  client.defineCommand('benchRawRead', { numberOfKeys: 2, lua: RAW_READ });
  return client;
}

function event(i: number, stream = `stream-${i % STREAMS}`): DomainEvent {
  return createDomainEvent({
    type: 'bench.item.added',
    aggregateId: stream,
    aggregateType: 'BenchItem',
    data: { sku: `sku-${i % 97}`, quantity: 1 + (i % 5), price: 9.99, tags: ['bench', 'store'] },
    metadata: { source: 'bench', environment: 'bench', userId: `user-${i % 13}` },
  });
}

/** `count` appends by IN_FLIGHT workers; worker w owns streams w, w + 64, …, tracking their versions. */
async function runAppends(count: number, append: (stream: string, e: DomainEvent, version: number) => Promise<void>): Promise<number> {
  const events = Array.from({ length: count }, (_, i) => event(i));
  const versions = new Array<number>(STREAMS).fill(0);
  let next = 0;
  return throughput(count, async () => {
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, w) => {
        const owned = Array.from({ length: Math.ceil((STREAMS - w) / IN_FLIGHT) }, (_, k) => w + k * IN_FLIGHT);
        let turn = 0;
        for (;;) {
          const i = next++;
          if (i >= count) return;
          const s = owned[turn++ % owned.length]!;
          await append(`stream-${s}`, events[i]!, versions[s]!);
          versions[s]!++;
        }
      }),
    );
  });
}

const appends: Scenario = {
  name: 'redis-store appends',
  requires: ['redis'],
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const count = ctx.quick ? 10_000 : 100_000;
    const runs = ctx.quick ? 1 : 5;
    const admin = new Redis({ host: HOST, port: PORT });
    const raw = rawClient();
    const prefixes: string[] = [];
    try {
      const heraldOnce = async (n: number) => {
        const prefix = `${uniqueName('herald-bench:store')}:`;
        prefixes.push(prefix);
        const store = new RedisEventStore({ redis: { host: HOST, port: PORT }, prefix });
        try {
          return await runAppends(n, async (stream, e, version) => {
            await store.saveEvents(stream, [e], version);
          });
        } finally {
          await store.close();
          await deletePrefix(admin, prefix);
        }
      };
      const rawOnce = async (n: number) => {
        const prefix = `${uniqueName('herald-bench:raw')}:`;
        prefixes.push(prefix);
        const log = `${prefix}{es}:log`;
        const head = `${prefix}{es}:head`;
        try {
          return await runAppends(n, async (stream, e, version) => {
            const reply = await raw.benchRawAppend(`${prefix}{es}:stream:${stream}`, log, head, version, JSON.stringify(e));
            if (reply[0] !== 1) throw new Error('bench: raw append conflicted');
          });
        } finally {
          await deletePrefix(admin, prefix);
        }
      };
      await heraldOnce(2_000); // warm-up: connections, script cache, JIT
      await rawOnce(2_000);
      const { herald, baseline } = await interleavedBestOf(
        runs,
        () => heraldOnce(count),
        () => rawOnce(count),
      );
      ctx.log(`${count} appends, ${IN_FLIGHT} in flight: herald ${Math.round(herald)}/s, raw EVALSHA ${Math.round(baseline)}/s`);
      return [
        result({
          scenario: 'redis-store appends',
          metric: `single-event appends, ${STREAMS} streams, ${IN_FLIGHT} in flight`,
          unit: 'events/s',
          herald,
          baseline,
          baselineName: 'raw single-EVAL append script (ioredis)',
          minRatio: 0.8,
        }),
      ];
    } finally {
      for (const p of prefixes) await deletePrefix(admin, p);
      raw.disconnect();
      admin.disconnect();
    }
  },
};

const reads: Scenario = {
  name: 'redis-store reads',
  requires: ['redis'],
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const deep = ctx.quick ? 100_000 : 1_000_000;
    const prefix = `${uniqueName('herald-bench:reads')}:`;
    const admin = new Redis({ host: HOST, port: PORT });
    const raw = rawClient();
    const store = new RedisEventStore({ redis: { host: HOST, port: PORT }, prefix });
    try {
      // Fill the log through the store itself (batches of 1,000), 8 batches in flight.
      const template = event(0, 'fill');
      const batches = Math.ceil((deep + 1_000) / 1_000);
      let b = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (b < batches) {
            const mine = b++;
            const events = Array.from({ length: 1_000 }, (_, i) => ({ ...template, id: `e-${mine}-${i}` }));
            await store.saveEvents(`fill-${mine % 100}`, events, 'any');
          }
        }),
      );
      const pages = ctx.quick ? 300 : 2_000;
      await pageMicros(store, 0, 200);
      await pageMicros(store, deep, 200);
      // "Best" of a latency is its minimum: the helper maximises, so it measures the negation.
      const best = await interleavedBestOf(
        5,
        async () => -(await pageMicros(store, deep, pages)),
        async () => -(await pageMicros(store, 0, pages)),
      );
      const atDeep = -best.herald;
      const atStart = -best.baseline;
      ctx.log(`page of 100: at 0 ${atStart.toFixed(0)} µs, at ${deep.toLocaleString('en-US')} ${atDeep.toFixed(0)} µs${ctx.quick ? ' (quick: smaller log)' : ''}`);

      // A 10,000-event stream, read whole: the store vs a raw script read + JSON.parse of the same shape.
      const streamEvents = Array.from({ length: 10_000 }, (_, i) => event(i, 'long-stream'));
      for (let i = 0; i < streamEvents.length; i += 1_000) await store.saveEvents('long-stream', streamEvents.slice(i, i + 1_000), i);
      const rawLog = `${prefix}{es}:raw-log`;
      const rawHead = `${prefix}{es}:raw-head`;
      const rawStream = `${prefix}{es}:raw-stream`;
      for (let i = 0; i < streamEvents.length; i++) await raw.benchRawAppend(rawStream, rawLog, rawHead, i, JSON.stringify(streamEvents[i]));
      const readRuns = ctx.quick ? 2 : 7;
      const { herald: heraldRead, baseline: rawRead } = await interleavedBestOf(
        readRuns,
        () =>
          throughput(10_000, async () => {
            const events = await store.getEvents('long-stream');
            if (events.length !== 10_000) throw new Error(`bench: read ${events.length} events`);
          }),
        () =>
          throughput(10_000, async () => {
            const records = await raw.benchRawRead(rawStream, rawLog);
            const events = records.map((r) => JSON.parse(r) as DomainEvent);
            if (events.length !== 10_000) throw new Error(`bench: raw read ${events.length} events`);
          }),
      );
      ctx.log(`10,000-event stream: herald ${Math.round(heraldRead)} events/s, raw ${Math.round(rawRead)} events/s`);
      return [
        deepPageResult('redis-store getAllEvents paging', deep, ctx.quick, atDeep, atStart),
        result({
          scenario: 'redis-store stream read',
          metric: 'read a 10,000-event stream',
          unit: 'events/s',
          herald: heraldRead,
          baseline: rawRead,
          baselineName: 'raw script read + JSON.parse (strings, not Dates)',
        }),
      ];
    } finally {
      await store.close();
      await deletePrefix(admin, prefix);
      raw.disconnect();
      admin.disconnect();
    }
  },
};

export const scenarios: Scenario[] = [appends, reads];
