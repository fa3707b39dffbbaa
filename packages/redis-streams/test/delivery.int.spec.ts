import { randomUUID } from 'node:crypto';
import { createDomainEvent, isHeraldError, type BaseEvent, type DomainEvent, type HandlerContext } from '@herald/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisStreamsEventBus, type RedisStreamsEventBusOptions } from '../src/index.js';
import { GatedHandler } from './support/gated-handler.js';
import { adminClient, BusFactory, REDIS_URL, unique, until } from './support/redis.js';

const admin = adminClient();
const buses = new BusFactory();
afterEach(() => buses.cleanup(admin));
afterAll(() => admin.quit());

function event(seq: number, aggregateId = 'agg-1', type = 'streams.test.item'): DomainEvent<{ seq: number }> {
  return createDomainEvent({
    type,
    aggregateId,
    aggregateType: 'Test',
    data: { seq },
    metadata: { source: 'redis-streams-test', environment: 'test' },
  });
}

/** A bus on the shared Redis; `names` lets several buses share one prefix (members of one group in "other processes"). */
function bus(names = unique('delivery'), options: Partial<RedisStreamsEventBusOptions> = {}): RedisStreamsEventBus {
  return buses.track(new RedisStreamsEventBus({ redis: REDIS_URL, ...names, blockMs: 200, ...options }));
}

async function pendingCount(stream: string, group: string): Promise<number> {
  const summary = (await admin.xpending(stream, group)) as [number, ...unknown[]];
  return Number(summary[0]);
}

const seqOf = (e: BaseEvent) => (e as DomainEvent<{ seq: number }>).data.seq;

describe('RedisStreamsEventBus delivery', () => {
  it('keeps events for a group while none of its members runs', async () => {
    // Given a group that subscribed once, and whose only member then stopped
    const names = unique('durable');
    const first = bus(names);
    await first.subscribe('streams.test.#', () => {}, { group: 'billing' });
    await first.close();

    // When events are published while no member runs
    const publisher = bus(names);
    for (let i = 0; i < 20; i++) await publisher.publish(event(i));

    // Then a member started later receives all of them, in order
    const seen: number[] = [];
    const later = bus(names);
    await later.subscribe('streams.test.#', (e) => void seen.push(seqOf(e)), { group: 'billing' });
    await until(() => seen.length === 20, 'the later member to receive the 20 events');
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('keeps an entry pending while its handler retries, and acknowledges it once settled', async () => {
    // Given a handler that fails its first attempt and retries after 400 ms
    const names = unique('pending');
    const b = bus(names);
    const attempts: number[] = [];
    await b.subscribe(
      'streams.test.#',
      {
        async handle(_e, ctx: HandlerContext) {
          attempts.push(ctx.attempt);
          if (ctx.attempt === 1) throw new Error('first attempt fails');
        },
        retryStrategy: { maxAttempts: 3, backoff: { type: 'fixed', delay: 400 } },
      },
      { group: 'retrying' },
    );

    // When an event is published
    await b.publish(event(1));

    // Then during the retry wait the entry is pending, and after the retry it is acknowledged
    await until(() => attempts.length === 1, 'the first attempt');
    expect(await pendingCount(b.streams[0]!, 'retrying')).toBe(1);
    await until(() => attempts.length === 2, 'the retry');
    await until(async () => (await pendingCount(b.streams[0]!, 'retrying')) === 0, 'the entry to be acknowledged');
    expect(attempts).toEqual([1, 2]);
  });

  it("takes over a dead member's pending entries after claimIdleMs, counting its delivery as an attempt", async () => {
    // Given a group whose member read 5 entries and died without acknowledging them
    const names = unique('claim');
    const creator = bus(names);
    await creator.subscribe('streams.test.#', () => {}, { group: 'workers' });
    await creator.close();
    const publisher = bus(names);
    for (let i = 0; i < 5; i++) await publisher.publish(event(i));
    const stream = publisher.streams[0]!;
    const read = (await admin.xreadgroup('GROUP', 'workers', 'dead-member', 'COUNT', 10, 'STREAMS', stream, '>')) as unknown[];
    expect(read).toHaveLength(1);
    expect(await pendingCount(stream, 'workers')).toBe(5);

    // When a live member joins with a short claimIdleMs
    const handled: Array<{ seq: number; attempt: number }> = [];
    const live = bus(names, { claimIdleMs: 300 });
    await live.subscribe('streams.test.#', (e, ctx) => void handled.push({ seq: seqOf(e), attempt: ctx.attempt }), { group: 'workers' });

    // Then it handles all five as second attempts, and nothing stays pending
    await until(() => handled.length === 5, 'the 5 abandoned entries to be handled');
    expect(handled.map((h) => h.seq).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(handled.map((h) => h.attempt))).toEqual(new Set([2]));
    await until(async () => (await pendingCount(stream, 'workers')) === 0, 'no entry left pending');
  });

  it('dead-letters an entry delivered more often than maxAttempts without calling the handler', async () => {
    // Given an entry that three dead consumers read in turn (delivery count 3)
    const names = unique('limit');
    const creator = bus(names);
    await creator.subscribe('streams.test.#', () => {}, { group: 'fragile' });
    await creator.close();
    const publisher = bus(names);
    const doomed = event(7);
    await publisher.publish(doomed);
    const stream = publisher.streams[0]!;
    const [[, [[id]]]] = (await admin.xreadgroup('GROUP', 'fragile', 'dead-1', 'STREAMS', stream, '>')) as [[string, [[string, string[]]]]];
    await admin.xclaim(stream, 'fragile', 'dead-2', 0, id!);
    await admin.xclaim(stream, 'fragile', 'dead-3', 0, id!);

    // When a live member with maxAttempts 2 takes it over (its 4th delivery)
    const calls: string[] = [];
    const live = bus(names, { claimIdleMs: 200, retry: { maxAttempts: 2, backoff: { type: 'fixed', delay: 10 }, deadLetter: { enabled: true } } });
    await live.subscribe('streams.test.#', (e) => void calls.push(e.id), { group: 'fragile' });

    // Then it is dead-lettered with RedeliveryLimitError, acknowledged, and never handled
    const [record] = await until(async () => {
      const list = await live.deadLetters.list();
      return list.length > 0 ? list : undefined;
    }, 'the dead letter');
    expect(record!.error.name).toBe('RedeliveryLimitError');
    expect(record!.event?.id).toBe(doomed.id);
    expect(record!.group).toBe('fragile');
    expect(record!.attempts).toBe(3);
    await until(async () => (await pendingCount(stream, 'fragile')) === 0, 'the entry to be acknowledged');
    expect(calls).toEqual([]);
  });

  it('does not let another member take over an entry whose handler is still running', async () => {
    // Given two members of one group with claimIdleMs 300, and a handler that runs for 1.5 s
    const names = unique('heartbeat');
    const a = bus(names, { claimIdleMs: 300 });
    const b = bus(names, { claimIdleMs: 300 });
    const starts: string[] = [];
    let finished = 0;
    const slow = async (e: BaseEvent) => {
      starts.push(e.id);
      await new Promise((r) => setTimeout(r, 1_500));
      finished++;
    };
    await a.subscribe('streams.test.#', slow, { group: 'slow' });
    await b.subscribe('streams.test.#', slow, { group: 'slow' });

    // When one event is published
    await a.publish(event(1));

    // Then it is handled once: the running member keeps its entry alive past claimIdleMs
    await until(() => finished === 1, 'the slow handler to finish', 5_000);
    await until(async () => (await pendingCount(a.streams[0]!, 'slow')) === 0, 'the entry to be acknowledged');
    expect(starts).toHaveLength(1);
  });

  it('replays a dead letter to the group that failed only', async () => {
    // Given two groups on one pattern, one of which fails until fixed
    const b = bus();
    let fixed = false;
    const failing: string[] = [];
    const healthy: string[] = [];
    await b.subscribe(
      'streams.test.#',
      {
        async handle(e) {
          if (!fixed) throw new Error('broken');
          failing.push(e.id);
        },
        retryStrategy: { maxAttempts: 1, backoff: { type: 'fixed', delay: 1 }, deadLetter: { enabled: true } },
      },
      { group: 'broken' },
    );
    await b.subscribe('streams.test.#', (e) => void healthy.push(e.id), { group: 'healthy' });
    const e = event(1);
    await b.publish(e);
    const [record] = await until(async () => {
      const list = await b.deadLetters.list();
      return list.length > 0 ? list : undefined;
    }, 'the dead letter');

    // When it is fixed and the dead letter replayed, then a sentinel published
    fixed = true;
    expect(await b.deadLetters.replay(record!.id)).toBe(1);
    const sentinel = event(2);
    await b.publish(sentinel);

    // Then the failed group handles it, and the healthy group did not get it twice
    await until(() => failing.includes(e.id) && healthy.includes(sentinel.id), 'the replay and the sentinel');
    expect(healthy).toEqual([e.id, sentinel.id]);
    expect(failing).toEqual([e.id, sentinel.id]);
  });

  it("removes an ungrouped subscription's own consumer group on unsubscribe", async () => {
    const b = bus();
    const sub = await b.subscribe('streams.test.#', () => {});
    const groups = async () => ((await admin.xinfo('GROUPS', b.streams[0]!)) as unknown[]).length;
    expect(await groups()).toBe(1);
    await b.unsubscribe(sub);
    expect(await groups()).toBe(0);
  });

  it('keeps the events of one aggregate in one partition, in order, and spreads aggregates over partitions', async () => {
    // Given a bus with 4 partitions and an ungrouped subscriber at concurrency 1
    const b = bus(unique('partitions'), { partitions: 4 });
    const seen = new Map<string, number[]>();
    await b.subscribe('streams.test.#', (e) => {
      const id = (e as DomainEvent).aggregateId;
      seen.set(id, [...(seen.get(id) ?? []), seqOf(e)]);
    });

    // When 8 aggregates each publish 25 events, interleaved
    const aggregates = Array.from({ length: 8 }, (_, i) => `agg-${i}`);
    for (let seq = 0; seq < 25; seq++) await b.publishAll(aggregates.map((a) => event(seq, a)));

    // Then each aggregate's events arrive in order, and more than one stream holds events
    await until(() => aggregates.every((a) => seen.get(a)?.length === 25), 'all 200 events');
    for (const a of aggregates) expect(seen.get(a)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    const lengths = await Promise.all(b.streams.map((s) => admin.xlen(s)));
    expect(lengths.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(lengths.reduce((x, y) => x + y, 0)).toBe(200);
  });

  it('rejects a publish with PublishError within publishTimeoutMs when Redis is unreachable, and connect() with ConnectionError', async () => {
    // Given a bus pointed at a port nothing listens on (6389, this package's range)
    const b = buses.track(new RedisStreamsEventBus({ redis: 'redis://127.0.0.1:6389', ...unique('down'), publishTimeoutMs: 300 }));

    // When publishing and connecting
    const publishError = await b.publish(event(1)).catch((e: unknown) => e);
    const connectError = await b.connect().catch((e: unknown) => e);

    // Then both reject with the right typed errors
    expect(isHeraldError(publishError, 'PUBLISH'), String(publishError)).toBe(true);
    expect(isHeraldError(connectError, 'CONNECTION'), String(connectError)).toBe(true);
  });

  it('appends a publishAll batch larger than one script chunk in publish order per partition, and handles all of it in order', async () => {
    // Given a bus with 2 partitions and an ungrouped subscriber at concurrency 1
    const b = bus(unique('chunks'), { partitions: 2 });
    const seen = new Map<string, number[]>();
    await b.subscribe('streams.test.#', (e) => {
      const id = (e as DomainEvent).aggregateId;
      seen.set(id, [...(seen.get(id) ?? []), seqOf(e)]);
    });

    // When one batch of 1,050 events of 3 aggregates is published (several 100-entry chunks per partition)
    const aggregates = ['agg-a', 'agg-b', 'agg-c'];
    const batch = Array.from({ length: 1_050 }, (_, i) => event(i, aggregates[i % 3]));
    await b.publishAll(batch);

    // Then each stream holds its share in publish order, and each aggregate's events arrive in order
    let total = 0;
    for (const stream of b.streams) {
      const entries = await admin.xrange(stream, '-', '+');
      const ids = entries.map(([, fields]) => (JSON.parse(fields[1]!) as { id: string }).id);
      expect(ids).toEqual(batch.filter((e) => b.streamOf(e) === stream).map((e) => e.id));
      total += entries.length;
    }
    expect(total).toBe(1_050);
    await until(() => aggregates.every((a) => seen.get(a)?.length === 350), 'all 1,050 events');
    for (const a of aggregates) expect(seen.get(a)).toEqual(batch.filter((e) => e.aggregateId === a).map(seqOf));
  });

  it('rejects a publishAll with PublishError within publishTimeoutMs when Redis is unreachable', async () => {
    // Given a bus pointed at a port nothing listens on
    const b = buses.track(new RedisStreamsEventBus({ redis: 'redis://127.0.0.1:6389', ...unique('down-batch'), publishTimeoutMs: 300 }));

    // When a batch is published
    const started = Date.now();
    const error = await b.publishAll([event(1), event(2, 'agg-2')]).catch((e: unknown) => e);

    // Then it rejects with a PublishError naming the batch, within the bound (and a margin for a loaded machine)
    expect(isHeraldError(error, 'PUBLISH'), String(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('publishes batches for a user whose ACL refuses scripts (a pipeline of XADD instead)', async () => {
    // Given an ACL user who may use the keys but not run scripts
    const names = unique('noscript');
    const user = `herald-test-noscript-${randomUUID().slice(0, 8)}`;
    const password = `pw-${randomUUID()}`;
    await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, `~${names.prefix}*`, '&*', '+@all', '-@scripting');
    try {
      const b = bus(names, { redis: { host: '127.0.0.1', port: 6379, username: user, password } });
      const seen: number[] = [];
      await b.subscribe('streams.test.#', (e) => void seen.push(seqOf(e)));

      // When a batch of 250 events is published
      await b.publishAll(Array.from({ length: 250 }, (_, i) => event(i)));

      // Then all of it is appended and handled, in order
      await until(() => seen.length === 250, 'the 250 events');
      expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
      await b.close();
    } finally {
      await admin.call('ACL', 'DELUSER', user);
    }
  });

  it('holds at most concurrency + readAhead unsettled entries of a large backlog while its handlers are slow', async () => {
    // Given a member with 2 handler slots and readAhead 3, whose handlers wait for a gate
    const names = unique('bound');
    const b = bus(names, { readAhead: 3 });
    const slow = new GatedHandler();
    await b.subscribe('streams.test.#', slow.handle, { group: 'slow', concurrency: 2 });

    // When a backlog of 300 events is published
    await b.publishAll(Array.from({ length: 300 }, (_, i) => event(i, `agg-${i}`)));

    // Then the member has read exactly its bound: 5 pending, 2 of them running
    const stream = b.streams[0]!;
    await until(async () => slow.running === 2 && (await pendingCount(stream, 'slow')) === 5, 'the member to fill its 5 slots');
    // and does not read past it over three blocking-read periods (a reader that ignored the bound would read again at once)
    const watchUntil = Date.now() + 600;
    let mostPending = 0;
    while (Date.now() < watchUntil) mostPending = Math.max(mostPending, await pendingCount(stream, 'slow'));
    expect(mostPending).toBe(5);

    // And once the handlers go on, the whole backlog is handled and acknowledged, never more than 2 at once
    slow.open();
    await until(() => slow.handled === 300, 'the 300 events to be handled');
    await until(async () => (await pendingCount(stream, 'slow')) === 0, 'every entry to be acknowledged');
    expect(slow.mostRunning).toBe(2);
  });

  it("takes over a dead member's entries within the bound: never during a read that may still fill it", async () => {
    // Given a dead member ("ghost") holding 10 entries, and a live member (bound 5) with slow handlers
    // whose blocking read waits 1 s; takeovers are due every 150 ms
    const names = unique('claim-bound');
    const b = bus(names, { readAhead: 3, blockMs: 1_000, claimIdleMs: 300 });
    const stream = b.streams[0]!;
    await admin.xgroup('CREATE', stream, 'slow', '$', 'MKSTREAM');
    await b.publishAll(Array.from({ length: 10 }, (_, i) => event(i)));
    await admin.xreadgroup('GROUP', 'slow', 'ghost', 'COUNT', 100, 'STREAMS', stream, '>');
    const slow = new GatedHandler();
    await b.subscribe('streams.test.#', slow.handle, { group: 'slow', concurrency: 2 });
    const ghostHolds = async () => ((await admin.xpending(stream, 'slow', '-', '+', 1_000, 'ghost')) as unknown[]).length;
    const memberHolds = async () => (await pendingCount(stream, 'slow')) - (await ghostHolds());

    // When the member has taken over 5 of the ghost's entries, and 20 new events arrive at once
    await until(async () => (await ghostHolds()) === 5, 'the member to take over 5 of the ghost entries');
    await b.publishAll(Array.from({ length: 20 }, (_, i) => event(100 + i)));

    // Then it holds no more than its bound of 5 over more than a whole blocking read (a read that was
    // under way during the takeover would have brought 5 more)
    const watchUntil = Date.now() + 1_500;
    let most = 0;
    while (Date.now() < watchUntil) most = Math.max(most, await memberHolds());
    expect(most).toBe(5);

    // And once its handlers go on, the ghost's other entries are taken over and all 30 events are handled
    slow.open();
    await until(() => slow.handled === 30, 'the 30 events to be handled', 20_000);
    await until(async () => (await pendingCount(stream, 'slow')) === 0, 'every entry to be acknowledged');
  });

  it('rejects a dead-letter read Redis refuses with RedisStreamsConnectionError (code CONNECTION), not a raw ReplyError', async () => {
    // Given a bus whose dead-letter list key holds a string (WRONGTYPE for every list command)
    const names = unique('dl-refused');
    const b = bus(names);
    await b.connect();
    await admin.set(`${names.prefix}{${names.prefix}dl}:dead-letters`, 'not a list');

    // When the dead letters are read
    const error = await b.deadLetters.list().then(() => undefined, (e: unknown) => e);

    // Then the caller gets a HeraldError naming the refusal
    expect(isHeraldError(error, 'CONNECTION'), String(error)).toBe(true);
    expect((error as Error).name).toBe('RedisStreamsConnectionError');
    expect((error as Error).message).toMatch(/dead-letter command: WRONGTYPE/);
  });
});
