import type { BaseEvent, HandlerContext, RetryStrategy } from '@herald/core';
import { afterEach, describe, expect, it } from 'vitest';
import { BusFactory, event, queueDepth, until, withRawChannel } from './helpers.js';

const buses = new BusFactory();
afterEach(() => buses.cleanup());

const fixed = (maxAttempts: number, delay: number, extra: Partial<RetryStrategy> = {}): RetryStrategy => ({
  maxAttempts,
  backoff: { type: 'fixed', delay },
  deadLetter: { enabled: true },
  ...extra,
});

describe('RabbitMQEventBus: broker-side retries', () => {
  it('parks a failed delivery in a per-delay queue (TTL, dead-lettering back) with the attempt in a header', async () => {
    // Given a group whose handler fails the first attempt, with a 1.5 s backoff
    const bus = buses.create('park');
    const attempts: number[] = [];
    await bus.subscribe(
      'park.#',
      {
        handle(_e: BaseEvent, ctx: HandlerContext) {
          attempts.push(ctx.attempt);
          if (ctx.attempt === 1) throw new Error('first attempt fails');
        },
        retryStrategy: fixed(3, 1_500),
      },
      { group: 'parkers' },
    );

    // When an event fails once
    await bus.publish(event('park.item'));
    await until(() => attempts.length === 1, 'the first attempt');

    // Then, during the backoff, the message waits in the 1500 ms delay queue — not in the subscription queue, not in the consumer
    const delayQueue = `${bus.prefix}retry.1500ms`;
    await until(async () => (await queueDepth(delayQueue)) === 1, 'the retry to sit in the delay queue');
    expect(await queueDepth(`${bus.prefix}parkers`)).toBe(0);
    const peek = await withRawChannel(async (ch) => {
      const m = await ch.get(delayQueue, { noAck: false });
      if (m === false) throw new Error('nothing in the delay queue');
      ch.nack(m, false, true);
      return m;
    });
    expect(peek.properties.headers?.['x-herald-attempt']).toBe(2);
    expect(peek.fields.routingKey).toBe(`${bus.prefix}parkers`);
    expect(peek.properties.deliveryMode).toBe(2);

    // And after the TTL the broker dead-letters it back, and attempt 2 succeeds
    await until(() => attempts.length === 2, 'the second attempt', 10_000);
    expect(attempts).toEqual([1, 2]);
    await until(async () => (await queueDepth(delayQueue)) === 0, 'the delay queue to empty');
  });

  it('keeps short retries from waiting behind long ones (one queue per distinct delay)', async () => {
    // Given two subscriptions: one retrying after 4 s, the other after 50 ms
    const bus = buses.create('hol');
    const done: string[] = [];
    await bus.subscribe('hol.slow', {
      handle(_e, ctx) {
        if (ctx.attempt === 1) throw new Error('slow retry');
        done.push('slow');
      },
      retryStrategy: fixed(2, 4_000),
    });
    await bus.subscribe('hol.fast', {
      handle(_e, ctx) {
        if (ctx.attempt === 1) throw new Error('fast retry');
        done.push('fast');
      },
      retryStrategy: fixed(2, 50),
    });

    // When the slow one fails first, then the fast one
    const started = Date.now();
    await bus.publish(event('hol.slow'));
    await until(async () => (await queueDepth(`${bus.prefix}retry.4000ms`)) === 1, 'the slow retry to be parked');
    await bus.publish(event('hol.fast'));

    // Then the fast retry completes long before the slow one's delay has passed
    await until(() => done.includes('fast'), 'the fast retry');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(done).toEqual(['fast']);
    await until(() => done.includes('slow'), 'the slow retry', 10_000);
  });

  it('loses nothing when the consumer dies during the backoff: another member gets the next attempt', async () => {
    // Given a durable group whose only member fails the first attempt, with a 1 s backoff
    const prefix = `t.crash.${process.pid}.${Date.now().toString(36)}.`;
    const first = buses.create('crash', { prefix });
    const firstAttempts: number[] = [];
    await first.subscribe(
      'crash.#',
      {
        handle(_e, ctx) {
          firstAttempts.push(ctx.attempt);
          throw new Error('fails, then the process "crashes"');
        },
        retryStrategy: fixed(3, 1_000),
      },
      { group: 'workers' },
    );
    const e = event('crash.item');
    await first.publish(e);
    await until(async () => (await queueDepth(`${prefix}retry.1000ms`)) === 1, 'the retry to be parked');

    // When that process goes away during the backoff, and another member starts later
    await first.close();
    const second = buses.create('crash', { prefix });
    const seen: Array<{ id: string; attempt: number }> = [];
    await second.subscribe(
      'crash.#',
      {
        handle(ev, ctx) {
          seen.push({ id: ev.id, attempt: ctx.attempt });
        },
        retryStrategy: fixed(3, 1_000),
      },
      { group: 'workers' },
    );

    // Then the new member receives the event as attempt 2
    await until(() => seen.length === 1, 'the retried event at the new member', 10_000);
    expect(firstAttempts).toEqual([1]);
    expect(seen).toEqual([{ id: e.id, attempt: 2 }]);
  });

  it("dead-letters an ungrouped subscription's event still waiting for its retry when the subscription is unsubscribed", async () => {
    // Given an ungrouped subscriber whose first attempt fails, with a 3 s backoff
    const bus = buses.create('orphanretry');
    const attempts: number[] = [];
    const sub = await bus.subscribe('orphanretry.#', {
      handle(_e: BaseEvent, ctx: HandlerContext) {
        attempts.push(ctx.attempt);
        throw new Error(`attempt ${ctx.attempt} fails`);
      },
      retryStrategy: fixed(3, 3_000),
    });
    const e = event('orphanretry.item');
    await bus.publish(e);
    await until(async () => attempts.length === 1 && (await queueDepth(`${bus.prefix}retry.3000ms`)) === 1, 'the retry waiting');

    // When the subscription is unsubscribed during the backoff
    await bus.unsubscribe(sub);

    // Then the event is a dead letter (its last error, one attempt made), not gone with its queue
    const [record] = await until(async () => {
      const l = await bus.deadLetters.list();
      return l.length > 0 ? l : undefined;
    }, 'the dead letter');
    expect(record!.event?.id).toBe(e.id);
    expect(record!.attempts).toBe(1);
    expect(record!.error.message).toBe('attempt 1 fails');
    expect(record!.pattern).toBe('orphanretry.#');
    expect(attempts).toEqual([1]);
  });

  it('rounds jittered delays into a bounded set of delay queues', async () => {
    const bus = buses.create('jitter');
    let failures = 0;
    await bus.subscribe('jitter.#', {
      handle(_e, ctx) {
        if (ctx.attempt === 1) {
          failures++;
          throw new Error('retry me');
        }
      },
      retryStrategy: { maxAttempts: 2, backoff: { type: 'fixed', delay: 300, jitter: true } },
    });
    for (let i = 0; i < 40; i++) await bus.publish(event('jitter.item', { i }));
    await until(() => failures === 40, '40 first attempts');
    const delayQueues = bus.declaredTopology().queues.filter((q) => q.includes('.retry.'));
    // ±50% of 300 ms rounded to two significant digits: at most 16 distinct queues (150…300 in steps of 10)
    expect(delayQueues.length).toBeGreaterThan(1);
    expect(delayQueues.length).toBeLessThanOrEqual(16);
  });
});
