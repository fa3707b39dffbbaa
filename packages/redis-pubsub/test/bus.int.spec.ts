import {
  BusClosedError,
  createDomainEvent,
  isHeraldError,
  type BaseEvent,
  type ConnectionStateChange,
  type DomainEvent,
  type HandlerContext,
} from '@herald/core';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterKeys, RedisPubSubEventBus } from '../src/index.js';
import { adminClient, BusFactory, clientsNamed, deleteKeys, REDIS_URL, unique } from './support/redis.js';
import { domainEventMaker } from '../../../tooling/test-support/events.js';
import { until } from '../../../tooling/test-support/wait.js';

const event = domainEventMaker(createDomainEvent, 'redis-pubsub-test');

describe('RedisPubSubEventBus against Redis', () => {
  let admin: Redis;
  const buses = new BusFactory();

  beforeAll(() => {
    admin = adminClient();
  });
  afterEach(async () => {
    await buses.cleanup(admin);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('delivers a published event to a subscriber, equal to what was sent as JSON carries it', async () => {
    // Given a subscriber
    const bus = buses.create('deliver');
    const got: Array<{ event: BaseEvent; ctx: HandlerContext }> = [];
    const subscription = await bus.subscribe('orders.created', (e, ctx) => {
      got.push({ event: e, ctx });
    });

    // When an event with a nested Date is published
    const sent = event('orders.created', { total: 12.5, at: new Date(Date.UTC(2024, 1, 2)) });
    await bus.publish(sent);

    // Then it arrives once, deep-equal (the Date in data as its ISO string), on the first attempt
    await until(() => got.length === 1, 'the event to arrive');
    expect(got[0]!.event).toEqual({ ...sent, data: { total: 12.5, at: '2024-02-02T00:00:00.000Z' } });
    expect(got[0]!.ctx.attempt).toBe(1);
    expect(got[0]!.ctx.subscription.id).toBe(subscription.id);
  });

  it('uses one publishing and one subscriber connection however many subscriptions, sharing globs', async () => {
    // Given a bus with six subscriptions, two of them on the same pattern
    const bus = buses.create('conns');
    const name = (bus as unknown as { options: { connectionName: string } }).options.connectionName;
    for (const p of ['a.b', 'a.b', 'a.*', 'x.#', 'y.z', '#']) await bus.subscribe(p, () => {});
    await bus.publish(event('a.b'));

    // Then Redis sees exactly two connections of this bus, and the subscriber holds one PSUBSCRIBE per distinct glob
    const clients = await clientsNamed(admin, `${name}:`);
    expect(clients.map((c) => c.name).sort()).toEqual([`${name}:publisher`, `${name}:subscriber`]);
    const sub = clients.find((c) => c.name.endsWith(':subscriber'))!;
    // a.b, a.*, x, x.*, y.z, * → 6 globs for 6 subscriptions (a.b shared)
    expect(sub.psub).toBe(6);
  });

  it('gives "#" and "*" their Herald meaning, not Redis glob meaning', async () => {
    // Given subscriptions whose Redis globs are broader than the pattern
    const bus = buses.create('patterns');
    const seen = new Map<string, string[]>();
    const record = (pattern: string) => (e: BaseEvent) => {
      seen.set(pattern, [...(seen.get(pattern) ?? []), e.type]);
    };
    const patterns = ['shop.#', 'shop.*', '*.paid', '#.paid.#', 'shop.*.#'];
    for (const p of patterns) await bus.subscribe(p, record(p));
    const sentinel = await bus.subscribe('zz.sentinel', record('zz.sentinel'));

    // When types are published that Redis globs would match too broadly
    for (const t of ['shop', 'shop.order', 'shop.order.paid', 'shopping.paid', 'paid', 'x.paid.y', 'shopx']) {
      await bus.publish(event(t));
    }
    await bus.publish(event('zz.sentinel'));
    await until(() => seen.get('zz.sentinel')?.length === 1, 'the sentinel');

    // Then each subscription got exactly what core's matcher says, once
    expect(seen.get('shop.#')).toEqual(['shop', 'shop.order', 'shop.order.paid']);
    expect(seen.get('shop.*')).toEqual(['shop.order']);
    expect(seen.get('*.paid')).toEqual(['shopping.paid']);
    expect(seen.get('#.paid.#')).toEqual(['shop.order.paid', 'shopping.paid', 'paid', 'x.paid.y']);
    expect(seen.get('shop.*.#')).toEqual(['shop.order', 'shop.order.paid']);
    await bus.unsubscribe(sentinel);
  });

  it('publishAll sends a batch in one pipeline, in order', async () => {
    // Given a subscriber
    const bus = buses.create('batch');
    const seqs: number[] = [];
    await bus.subscribe('batch.item', (e) => {
      seqs.push((e as DomainEvent<{ seq: number }>).data.seq);
    });

    // When 500 events are published as one batch
    const batch = Array.from({ length: 500 }, (_, seq) => event('batch.item', { seq }));
    await bus.publishAll(batch);

    // Then all arrive in order
    await until(() => seqs.length === 500, 'all 500 events');
    expect(seqs).toEqual(batch.map((_, i) => i));
  });

  it('runs publish and handle middleware, also for publishAll', async () => {
    // Given middleware that stamps published events and records handlings
    const handledBy: string[] = [];
    const bus = buses.create('middleware', {
      middleware: [
        {
          name: 'stamp',
          publish: (e, next) => next({ ...e, metadata: { ...e.metadata, stamped: 'yes' } }),
          handle: async (e, _ctx, next) => {
            handledBy.push(e.id);
            await next();
          },
        },
      ],
    });
    const got: BaseEvent[] = [];
    await bus.subscribe('mw.item', (e) => {
      got.push(e);
    });

    // When one event is published alone and 20 as a batch
    await bus.publish(event('mw.item', { seq: -1 }));
    const batch = Array.from({ length: 20 }, (_, seq) => event('mw.item', { seq }));
    await bus.publishAll(batch);

    // Then all 21 arrive stamped, in order, and went through the handle middleware
    await until(() => got.length === 21, 'all 21 events');
    expect(got.map((e) => (e as DomainEvent<{ seq: number }>).data.seq)).toEqual([-1, ...batch.map((_, i) => i)]);
    expect(got.every((e) => e.metadata.stamped === 'yes')).toBe(true);
    expect(handledBy).toEqual(got.map((e) => e.id));
  });

  it('sends nothing from a batch with one invalid event', async () => {
    const bus = buses.create('batch-invalid');
    const got: BaseEvent[] = [];
    await bus.subscribe('bad.batch', (e) => {
      got.push(e);
    });
    const broken = { ...event('bad.batch'), id: '' };
    await expect(bus.publishAll([event('bad.batch'), broken as BaseEvent])).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'events[1].id',
    });
    await bus.publish(event('bad.batch', { sentinel: true }));
    await until(() => got.length === 1, 'the sentinel');
    expect((got[0] as DomainEvent).data.sentinel).toBe(true);
  });

  it('rejects consumer groups with UnsupportedError and says so in capabilities', async () => {
    const bus = buses.create('groups');
    expect(bus.capabilities).toEqual({ persistent: false, consumerGroups: false, redelivery: false, ordered: true, deadLetters: true });
    const error = await bus.subscribe('g.x', () => {}, { group: 'workers' }).catch((e: unknown) => e);
    expect(isHeraldError(error, 'UNSUPPORTED')).toBe(true);
  });

  it('retries in process, then keeps the dead letter in Redis under the prefix, where another bus finds it', async () => {
    // Given a handler that always fails, 3 attempts
    const bus = buses.create('dead');
    const attempts: number[] = [];
    await bus.subscribe('pay.failed', {
      handle(_e, ctx) {
        attempts.push(ctx.attempt);
        throw new Error('boom');
      },
      retryStrategy: { maxAttempts: 3, backoff: { type: 'fixed', delay: 5 } },
    });

    // When an event is published
    const sent = event('pay.failed', { amount: 3 });
    await bus.publish(sent);

    // Then after attempts 1..3 the dead letter is in Redis, under the bus's prefix
    const [record] = await until(async () => {
      const list = await bus.deadLetters.list();
      return list.length > 0 ? list : undefined;
    }, 'a dead letter');
    expect(attempts).toEqual([1, 2, 3]);
    expect(record!.event).toEqual(sent);
    expect(record!.attempts).toBe(3);
    expect(record!.error).toMatchObject({ name: 'Error', message: 'boom' });
    const keys = deadLetterKeys(bus.prefix);
    expect(await admin.lrange(keys.order, 0, -1)).toEqual([record!.id]);
    expect(await admin.hexists(keys.records, record!.id)).toBe(1);

    // And a new bus on the same prefix (another process) lists it after this one closed
    await bus.close();
    expect((await bus.deadLetters.list()).map((r) => r.id)).toEqual([record!.id]);
    const other = new RedisPubSubEventBus({ redis: REDIS_URL, prefix: bus.prefix });
    try {
      expect((await other.deadLetters.list()).map((r) => r.id)).toEqual([record!.id]);
      expect(await other.deadLetters.purge()).toBe(1);
      expect(await admin.exists(keys.order, keys.records)).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('replays a dead letter by publishing it again, to every current subscriber', async () => {
    // Given a dead letter from a handler that failed once, and a second subscriber
    const bus = buses.create('replay');
    let fixed = false;
    const handled: string[] = [];
    const witness: string[] = [];
    await bus.subscribe('job.run', {
      handle(e) {
        if (!fixed) throw new Error('not yet');
        handled.push(e.id);
      },
      retryStrategy: { maxAttempts: 1, backoff: { type: 'fixed', delay: 0 } },
    });
    await bus.subscribe('job.run', (e) => {
      witness.push(e.id);
    });
    const sent = event('job.run');
    await bus.publish(sent);
    const [record] = await until(async () => {
      const list = await bus.deadLetters.list();
      return list.length > 0 ? list : undefined;
    }, 'a dead letter');

    // When it is replayed
    fixed = true;
    expect(await bus.deadLetters.replay(record!.id)).toBe(1);

    // Then the failing subscription handles it, the witness sees it a second time, and the record is gone
    await until(() => handled.includes(sent.id), 'the replayed event');
    await until(() => witness.length === 2, 'the witness to see the replay');
    expect(witness).toEqual([sent.id, sent.id]);
    expect(await bus.deadLetters.list()).toEqual([]);
    expect(await bus.deadLetters.replay(record!.id)).toBe(0);
  });

  it('dead-letters malformed messages with their raw text and never hands them to a handler', async () => {
    // Given a subscriber
    const bus = buses.create('malformed');
    const got: BaseEvent[] = [];
    await bus.subscribe('in.#', (e) => {
      got.push(e);
    });
    const channel = `${bus.prefix}in.bound`;
    const sound = event('in.bound');
    const { timestamp, ...rest } = sound;
    const wrongType = JSON.stringify({ ...rest, type: 'other.type', timestamp: timestamp.toISOString() });

    // When malformed messages arrive on its channel, then a sound event
    const bad = ['{"id": ', '', JSON.stringify({ hello: 1 }), `{"__proto__": {"polluted": "yes"}}`, 'x'.repeat(1024 * 1024 + 1), wrongType];
    for (const raw of bad) await admin.publish(channel, raw);
    await bus.publish(sound);

    // Then only the sound event is handled, and each malformed one is an undecodable dead letter
    await until(() => got.length === 1, 'the sound event');
    const records = await until(async () => {
      const list = await bus.deadLetters.list();
      return list.length === bad.length ? list : undefined;
    }, 'one dead letter per malformed message');
    expect(got[0]!.id).toBe(sound.id);
    expect(records.every((r) => r.event === undefined && r.error.name === 'DecodeError' && typeof r.raw === 'string')).toBe(true);
    expect(records[0]!.raw).toBe('{"id": ');
    expect(records[5]!.raw).toBe(wrongType);
    expect(records[5]!.error.message).toContain('not its channel');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The oversize one is kept, truncated, not lost
    expect(records[4]?.raw?.length).toBeLessThan(1024 * 1024 + 200);
  });

  it('unsubscribe is a barrier and drops the PSUBSCRIBE when the last user of a glob goes', async () => {
    const bus = buses.create('unsub');
    const name = (bus as unknown as { options: { connectionName: string } }).options.connectionName;
    let running = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const a = await bus.subscribe('u.x', async () => {
      running++;
      await gate;
      running--;
    });
    const b = await bus.subscribe('u.x', () => {});
    await bus.publish(event('u.x'));
    await until(() => running === 1, 'the handler to start');

    // When the first unsubscribes while its handler runs, the barrier waits for it
    const unsubscribed = bus.unsubscribe(a);
    let done = false;
    void unsubscribed.then(() => {
      done = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    release();
    await unsubscribed;
    expect(running).toBe(0);

    // And the glob stays while b needs it, and goes with b
    expect((await clientsNamed(admin, `${name}:subscriber`))[0]!.psub).toBe(1);
    await bus.unsubscribe(b);
    await until(async () => (await clientsNamed(admin, `${name}:subscriber`))[0]?.psub === 0, 'PUNSUBSCRIBE');
    await bus.unsubscribe(b); // idempotent
  });

  it('close waits for publishes, leaves the user’s client open, and is idempotent', async () => {
    // Given a bus built on the user's own ioredis instance
    const own = new Redis(REDIS_URL);
    const names = unique('close');
    const bus = new RedisPubSubEventBus({ redis: own, ...names });
    const got: string[] = [];
    await bus.subscribe('c.e', (e) => {
      got.push(e.id);
    });
    const states: ConnectionStateChange[] = [];
    bus.on('connection', (c) => states.push(c));

    // When events are published without awaiting and the bus is closed right away
    const sent = Array.from({ length: 50 }, () => event('c.e'));
    const publishes = sent.map((e) => bus.publish(e));
    await bus.close();

    // Then every publish resolved, every event was handled before close resolved, and the user's client still works
    await Promise.all(publishes);
    expect(got).toEqual(sent.map((e) => e.id));
    expect(await own.ping()).toBe('PONG');
    expect(states.at(-1)?.state).toBe('closed');
    await bus.close();
    await expect(bus.publish(event('c.e'))).rejects.toBeInstanceOf(BusClosedError);
    await expect(bus.subscribe('c.e', () => {})).rejects.toBeInstanceOf(BusClosedError);
    expect(await clientsNamed(admin, `${names.connectionName}:`)).toEqual([]);
    await deleteKeys(admin, names.prefix);
    await own.quit();
  });

  it('reports connecting → connected on connect()', async () => {
    const bus = buses.create('state');
    const states: string[] = [];
    bus.on('connection', (c) => states.push(c.state));
    await bus.connect();
    await until(() => states.includes('connected'), 'connected');
    expect(states).toEqual(['connecting', 'connected']);
  });
});
