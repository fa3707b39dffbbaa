import { isHeraldError, type BaseEvent } from '@herald/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CapturingLogger } from '../../../tooling/test-support/logs.js';
import { BusFactory, event, queueDepth, uniquePrefix, until, withRawChannel } from './helpers.js';

const buses = new BusFactory();
afterEach(() => buses.cleanup());

class PaymentDeclined extends Error {
  override name = 'PaymentDeclined';
}

describe('RabbitMQEventBus: dead letters', () => {
  it('publishes an exhausted event to the dead-letter exchange with error, attempts, pattern and group in headers', async () => {
    // Given a group member that always fails, and a raw queue watching the dead-letter exchange
    const bus = buses.create('dlx');
    await bus.connect();
    const watch = `${bus.prefix}dlx-watch`;
    buses.alsoDelete({ queues: [watch] });
    await withRawChannel(async (ch) => {
      await ch.assertQueue(watch, { durable: false });
      await ch.bindQueue(watch, `${bus.prefix}dead-letter`, '#');
    });
    const order: string[] = [];
    await bus.subscribe(
      'dlx.#',
      {
        handle() {
          throw new PaymentDeclined('card expired');
        },
        errorHandler() {
          order.push('errorHandler');
        },
        retryStrategy: { maxAttempts: 2, backoff: { type: 'fixed', delay: 20 } },
      },
      { group: 'billing' },
    );

    // When an event exhausts its attempts
    const e = event('dlx.charge', { amount: 5 });
    await bus.publish(e);

    // Then the dead-letter exchange received it under the event type, with the details in headers
    const msg = await until(() => withRawChannel((ch) => ch.get(watch, { noAck: true })), 'the dead letter');
    const h = msg.properties.headers!;
    expect(msg.fields.routingKey).toBe('dlx.charge');
    expect(h['x-herald-error-name']).toBe('PaymentDeclined');
    expect(h['x-herald-error-message']).toBe('card expired');
    expect(h['x-herald-attempts']).toBe(2);
    expect(h['x-herald-pattern']).toBe('dlx.#');
    expect(h['x-herald-group']).toBe('billing');
    expect(msg.properties.messageId).toBe(e.id);
    expect(JSON.parse(msg.content.toString('utf8')).id).toBe(e.id);
    expect(order).toEqual(['errorHandler']);

    // And the bus lists it as a record
    const [record] = await bus.deadLetters.list();
    expect(record).toMatchObject({ attempts: 2, pattern: 'dlx.#', group: 'billing', error: { name: 'PaymentDeclined' } });
    expect(record!.event).toEqual(e);
  });

  it("with the strategy's own dead-letter exchange (missing): declares it, binds the bus's queue, and lists, replays and purges those records", async () => {
    // Given the guide's settings, with an exchange of this test's own name that does not exist yet
    const bus = buses.create('guidedl');
    const dlx = `${bus.prefix}dlx`;
    buses.alsoDelete({ exchanges: [dlx] });
    let fixed = false;
    const handled: string[] = [];
    await bus.subscribe('guidedl.#', {
      handle(ev) {
        if (!fixed) throw new Error('broken');
        handled.push(ev.id);
      },
      retryStrategy: { maxAttempts: 3, backoff: { type: 'fixed', delay: 20 }, deadLetter: { enabled: true, exchange: dlx, routingKey: 'dead' } },
    });

    // When an event exhausts its attempts
    const e = event('guidedl.x');
    await bus.publish(e);

    // Then the bus lists it (the exchange was declared and its queue bound with "dead")
    const [record] = await until(async () => {
      const l = await bus.deadLetters.list();
      return l.length > 0 ? l : undefined;
    }, 'the dead letter in the list');
    expect(record).toMatchObject({ attempts: 3, pattern: 'guidedl.#', error: { message: 'broken' } });
    expect(record!.event?.id).toBe(e.id);
    // And replays it to its subscription
    fixed = true;
    expect(await bus.deadLetters.replay('all')).toBe(1);
    await until(() => handled.includes(e.id), 'the replayed event');
    // And purges what comes later
    fixed = false;
    await bus.publish(event('guidedl.y'));
    await until(async () => (await bus.deadLetters.list()).length === 1, 'a second dead letter');
    expect(await bus.deadLetters.purge()).toBe(1);
  });

  it('with the bus option deadLetterRoute: exhausted events go to that exchange and the bus still lists them', async () => {
    // Given a bus whose dead letters go to an exchange of this test's own name (missing yet)
    const prefix = uniquePrefix('busdl');
    const dlx = `${prefix}route-dlx`;
    const bus = buses.create('busdl', { prefix, deadLetterRoute: { exchange: dlx, routingKey: 'dead' } });
    buses.alsoDelete({ exchanges: [dlx] });
    await bus.subscribe('busdl.#', {
      handle() {
        throw new Error('broken');
      },
      retryStrategy: { maxAttempts: 2, backoff: { type: 'fixed', delay: 10 } },
    });

    // When an event exhausts its attempts
    const e = event('busdl.x');
    await bus.publish(e);

    // Then the bus lists it, and the exchange exists (declared by the bus, its queue bound with "dead")
    const [record] = await until(async () => {
      const l = await bus.deadLetters.list();
      return l.length > 0 ? l : undefined;
    }, 'the dead letter in the list');
    expect(record).toMatchObject({ attempts: 2, pattern: 'busdl.#', error: { message: 'broken' } });
    expect(record!.event?.id).toBe(e.id);
    await withRawChannel((ch) => ch.checkExchange(dlx));
  });

  it("with the strategy's own dead-letter exchange (existing, other type and bindings): leaves it as it is and adds one binding", async () => {
    // Given the user's own direct exchange, with their own queue bound to the routing key
    const bus = buses.create('customdl');
    const custom = `${bus.prefix}my-dlx`;
    const watch = `${bus.prefix}my-dlq`;
    buses.alsoDelete({ queues: [watch], exchanges: [custom] });
    await withRawChannel(async (ch) => {
      await ch.assertExchange(custom, 'direct', { durable: false });
      await ch.assertQueue(watch, { durable: false });
      await ch.bindQueue(watch, custom, 'poison');
    });
    await bus.subscribe('customdl.#', {
      handle() {
        throw new Error('nope');
      },
      retryStrategy: { maxAttempts: 1, backoff: { type: 'fixed', delay: 0 }, deadLetter: { enabled: true, exchange: custom, routingKey: 'poison' } },
    });

    // When an event is dead-lettered
    const e = event('customdl.x');
    await bus.publish(e);

    // Then the user's queue still gets its copy, and the bus lists the record too
    const msg = await until(() => withRawChannel((ch) => ch.get(watch, { noAck: true })), 'the dead letter on the custom exchange');
    expect(msg.properties.headers?.['x-herald-error-message']).toBe('nope');
    const records = await until(async () => {
      const l = await bus.deadLetters.list();
      return l.length > 0 ? l : undefined;
    }, 'the record in the list');
    expect(records.map((r) => r.event?.id)).toEqual([e.id]);
    // And the exchange kept its type (a topic re-declaration would fail; a direct one with its properties passes)
    await withRawChannel((ch) => ch.assertExchange(custom, 'direct', { durable: false }));
  });

  it("falls back to the bus's own dead-letter queue, with a warning, when the strategy's exchange routes a dead letter nowhere", async () => {
    // Given the strategy's own exchange, bound once (by a first dead letter) and then unbound by someone
    const logger = new CapturingLogger();
    const bus = buses.create('fallbackdl', { logger });
    const custom = `${bus.prefix}gone-dlx`;
    buses.alsoDelete({ exchanges: [custom] });
    await bus.subscribe('fallbackdl.#', {
      handle() {
        throw new Error('nope');
      },
      retryStrategy: { maxAttempts: 1, backoff: { type: 'fixed', delay: 0 }, deadLetter: { enabled: true, exchange: custom, routingKey: 'dead' } },
    });
    await bus.publish(event('fallbackdl.first'));
    await until(async () => (await bus.deadLetters.list()).length === 1, 'the first dead letter');
    await withRawChannel((ch) => ch.unbindQueue(`${bus.prefix}dead-letters`, custom, 'dead'));

    // When another event is dead-lettered
    const e = event('fallbackdl.second');
    await bus.publish(e);

    // Then it is in the bus's own queue all the same, and a warning says so
    await until(async () => (await bus.deadLetters.list()).some((r) => r.event?.id === e.id), 'the second dead letter in the list');
    expect(logger.lines.some((l) => l.level === 'warn' && /own dead-letter queue/.test(l.message))).toBe(true);
  });

  it('drops (and logs) an exhausted event when dead-lettering is disabled', async () => {
    const bus = buses.create('nodl');
    let calls = 0;
    await bus.subscribe('nodl.#', {
      handle(ev) {
        if (ev.type !== 'nodl.x') return;
        calls++;
        throw new Error('nope');
      },
      retryStrategy: { maxAttempts: 2, backoff: { type: 'fixed', delay: 10 }, deadLetter: { enabled: false } },
    });
    await bus.publish(event('nodl.x'));
    await until(() => calls === 2, 'both attempts');
    const seen: string[] = [];
    await bus.subscribe('nodl.sentinel', (ev) => {
      seen.push(ev.id);
    });
    await bus.publish(event('nodl.sentinel'));
    await until(() => seen.length === 1, 'a sentinel');
    expect(await bus.deadLetters.list()).toEqual([]);
    expect(calls).toBe(2);
  });

  it('sends undecodable messages to the dead-letter queue at once, never redelivering them', async () => {
    // Given a group subscriber
    const bus = buses.create('garbage');
    const got: BaseEvent[] = [];
    await bus.subscribe('garbage.#', (ev) => {
      got.push(ev);
    }, { group: 'g' });

    // When garbage arrives
    await withRawChannel(async (ch) => {
      ch.publish(bus.exchange, 'garbage.x', Buffer.from('{not json'), { persistent: true });
    });

    // Then it is dead-lettered once with DecodeError, the queue is empty, and no handler ran
    const [record] = await until(async () => {
      const l = await bus.deadLetters.list();
      return l.length > 0 ? l : undefined;
    }, 'the undecodable dead letter');
    expect(record!.error.name).toBe('DecodeError');
    expect(record!.raw).toBe('{not json');
    expect(record!.attempts).toBe(0);
    expect(record!.group).toBe('g');
    expect(await queueDepth(`${bus.prefix}g`)).toBe(0);
    expect(got).toEqual([]);
    expect(await bus.deadLetters.list()).toHaveLength(1);
  });

  it('lists oldest first with a limit, replays all to their groups, and purges', async () => {
    // Given a group that fails everything until fixed
    const bus = buses.create('replay');
    let fixed = false;
    const handled: string[] = [];
    await bus.subscribe(
      'replay.#',
      {
        handle(ev) {
          if (!fixed) throw new Error('broken');
          handled.push(ev.id);
        },
        retryStrategy: { maxAttempts: 1, backoff: { type: 'fixed', delay: 0 } },
      },
      { group: 'r' },
    );
    const sent = Array.from({ length: 5 }, (_, i) => event('replay.item', { i }));
    for (const e of sent) await bus.publish(e);
    await until(async () => (await bus.deadLetters.list()).length === 5, 'five dead letters');

    // When listing with a limit
    const firstTwo = await bus.deadLetters.list(2);
    expect(firstTwo.map((r) => r.event?.id)).toEqual(sent.slice(0, 2).map((e) => e.id));
    // And the listing did not consume them
    expect(await bus.deadLetters.list()).toHaveLength(5);
    await expect(bus.deadLetters.list(-1)).rejects.toThrow(/limit/);

    // When fixed and replayed
    fixed = true;
    expect(await bus.deadLetters.replay('all')).toBe(5);
    await until(() => handled.length === 5, 'all five replayed events');
    expect(new Set(handled)).toEqual(new Set(sent.map((e) => e.id)));
    expect(await bus.deadLetters.list()).toEqual([]);
    expect(await bus.deadLetters.replay('no-such-id')).toBe(0);

    // And purge counts what it removed
    fixed = false;
    await bus.publish(event('replay.item'));
    await until(async () => (await bus.deadLetters.list()).length === 1, 'one new dead letter');
    expect(await bus.deadLetters.purge()).toBe(1);
    expect(await bus.deadLetters.purge()).toBe(0);
  });

  it('replays a dead letter whose subscription is gone to current subscribers through the exchange', async () => {
    const bus = buses.create('orphan');
    const sub = await bus.subscribe('orphan.#', {
      handle() {
        throw new Error('broken');
      },
      retryStrategy: { maxAttempts: 1, backoff: { type: 'fixed', delay: 0 } },
    });
    const e = event('orphan.item');
    await bus.publish(e);
    await until(async () => (await bus.deadLetters.list()).length === 1, 'the dead letter');
    await bus.unsubscribe(sub); // its exclusive queue is gone

    const got: string[] = [];
    await bus.subscribe('orphan.#', (ev) => {
      got.push(ev.id);
    });
    expect(await bus.deadLetters.replay('all')).toBe(1);
    await until(() => got.includes(e.id), 'the replayed event at the new subscriber');
  });

  it('rejects dead-letter operations after close', async () => {
    const bus = buses.create('dlclosed');
    await bus.close();
    const error = await bus.deadLetters.list().catch((e: unknown) => e);
    expect(isHeraldError(error, 'BUS_CLOSED')).toBe(true);
  });
});
