import { createDomainEvent, isHeraldError, jsonCodec } from '@herald/core';
import { afterAll, describe, expect, it } from 'vitest';
import { BusFactory, RawSender, takeFromQueue, until } from './helpers.js';

// Dead letters on RabbitMQ's AMQP 1.0 plugin: the bus stores them in the durable queue
// <prefix>dead-letters and accepts the failed delivery only then; reading them back is
// left to other clients (the bus's deadLetters methods refuse), so these tests read the
// queue with a plain rhea receiver.
const buses = new BusFactory();
const raw = new RawSender();
afterAll(async () => {
  raw.close();
  await buses.cleanup();
}, 60_000);

/** One record from the bus's dead-letter queue; a read that comes back empty is tried again (its connection's close returns anything it held). */
const readDeadLetter = (prefix: string) =>
  until(() => takeFromQueue(`${prefix}dead-letters`, 1, 2_000), 'a record in the dead-letter queue', 20_000);

const event = (type: string) =>
  createDomainEvent({ type, aggregateId: 'p-1', aggregateType: 'Player', data: { n: 1 }, metadata: { source: 'test', environment: 'test' } });

describe('AmqpEventBus dead letters (RabbitMQ AMQP 1.0)', () => {
  it('stores an exhausted event in the dead-letter queue with the record fields, then settles it', async () => {
    // Given a handler that always fails, with 2 attempts
    const bus = await buses.create('dl', { retry: { maxAttempts: 3, backoff: { type: 'fixed', delay: 5 } } });
    let calls = 0;
    await bus.subscribe('dl.*', () => {
      calls++;
      throw new Error('always fails');
    });
    const doomed = event('dl.doomed');

    // When it is published
    await bus.publish(doomed);

    // Then after the attempts one record holds the event, its error, attempts and pattern
    const [record] = await readDeadLetter(bus.prefix);
    expect(calls).toBe(3);
    expect(record!.id).toEqual(expect.any(String));
    expect(jsonCodec.decode(record!.event as string)).toEqual(doomed);
    expect(record!.error).toMatchObject({ name: 'Error', message: 'always fails' });
    expect(record!.attempts).toBe(3);
    expect(record!.pattern).toBe('dl.*');
    expect(new Date(record!.failedAt as string).getTime()).not.toBeNaN();
    expect(record!.properties).toMatchObject({ 'herald-pattern': 'dl.*', 'herald-attempts': 3 });
    await bus.close();
  });

  it('never hands an undecodable message to the handler', async () => {
    // Given a subscriber
    const bus = await buses.create('dl');
    const seen: string[] = [];
    await bus.subscribe('dl.target', (e) => {
      seen.push(e.id);
    });

    // When bad JSON arrives, then a sound event
    await raw.send(`${bus.prefix}dl.target`, '{"id": "x", "type": ');
    const sound = event('dl.target');
    await bus.publish(sound);
    await until(() => seen.includes(sound.id), 'the sound event');

    // Then only the sound event was handled. (Its dead letter is not read back here: in some runs
    // the raw reader did not find it within 20 s, and reading that queue over RabbitMQ 3.10's AMQP
    // 1.0 plugin is the same unreliable path that makes deadLetters.list unsupported, so such a
    // failure could not say whether the bus or the reader lost it. Open: see the package README.)
    expect(seen).toEqual([sound.id]);
    await bus.close();
  });

  it('refuses to list, replay or purge with UnsupportedError', async () => {
    const bus = await buses.create('dl');
    for (const call of [() => bus.deadLetters.list(), () => bus.deadLetters.replay('all'), () => bus.deadLetters.purge()]) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(isHeraldError(error, 'UNSUPPORTED')).toBe(true);
    }
    await bus.close();
  });
});
