import { afterEach, describe, expect, it } from 'vitest';
import { BusFactory, event, queueDepth, seedDeadLetters, until, withRawChannel } from './helpers.js';

const buses = new BusFactory();
afterEach(() => buses.cleanup(), 120_000);

describe('RabbitMQEventBus: many dead letters', () => {
  it('lists 3,000 records leaving every one ready, then replays every one of them, each handled once', async () => {
    // Given a group subscriber and 3,000 dead letters that failed in its queue
    const bus = buses.create('dlvolume');
    const handled = new Map<string, number>();
    await bus.subscribe('dlvolume.#', (ev) => {
      handled.set(ev.id, (handled.get(ev.id) ?? 0) + 1);
    }, { group: 'g' });
    const ids = await seedDeadLetters(bus.prefix, `${bus.prefix}g`, 'dlvolume.item', 3_000);

    // When they are listed
    const listed = await bus.deadLetters.list();

    // Then all are listed oldest first, and every one is ready again the moment list() returns
    expect(listed.map((r) => r.event?.id)).toEqual(ids);
    expect(await queueDepth(`${bus.prefix}dead-letters`)).toBe(3_000);
    expect((await bus.deadLetters.list(3)).map((r) => r.id)).toEqual(['dl-0', 'dl-1', 'dl-2']);

    // When all are replayed right after
    const replayed = await bus.deadLetters.replay('all');

    // Then replay counted every record, none stayed, and each event was handled exactly once
    expect(replayed).toBe(3_000);
    expect(await queueDepth(`${bus.prefix}dead-letters`)).toBe(0);
    await until(() => handled.size === 3_000, 'every replayed event handled', 60_000);
    expect([...handled.values()].every((n) => n === 1)).toBe(true);
  }, 180_000);

  it('replays one record by id and keeps the others in their order', async () => {
    // Given 50 dead letters
    const bus = buses.create('dlone');
    const handled: string[] = [];
    await bus.subscribe('dlone.#', (ev) => {
      handled.push(ev.id);
    }, { group: 'g' });
    const ids = await seedDeadLetters(bus.prefix, `${bus.prefix}g`, 'dlone.item', 50);

    // When the 21st is replayed
    expect(await bus.deadLetters.replay('dl-20')).toBe(1);

    // Then only it was handled, and the other 49 are listed in their order
    await until(() => handled.length === 1, 'the replayed event');
    expect(handled).toEqual([ids[20]]);
    expect((await bus.deadLetters.list()).map((r) => r.event?.id)).toEqual(ids.filter((_, i) => i !== 20));
  }, 60_000);

  it('merges two copies of one record (left by an interrupted walk): listed once, replayed once', async () => {
    // Given a record stored twice with the same dead-letter id
    const bus = buses.create('dldup');
    const handled: string[] = [];
    await bus.subscribe('dldup.#', (ev) => {
      handled.push(ev.id);
    }, { group: 'g' });
    const [first] = await seedDeadLetters(bus.prefix, `${bus.prefix}g`, 'dldup.item', 1);
    await withRawChannel(async (ch) => {
      const msg = await ch.get(`${bus.prefix}dead-letters`, { noAck: false });
      if (msg === false) throw new Error('no dead letter to copy');
      ch.sendToQueue(`${bus.prefix}dead-letters`, msg.content, { ...msg.properties, persistent: true });
      ch.sendToQueue(`${bus.prefix}dead-letters`, msg.content, { ...msg.properties, persistent: true });
      ch.ack(msg);
    });
    await until(async () => (await queueDepth(`${bus.prefix}dead-letters`)) === 2, 'two copies');

    // When listed and replayed
    expect((await bus.deadLetters.list()).map((r) => r.id)).toEqual(['dl-0']);
    expect(await bus.deadLetters.replay('all')).toBe(1);

    // Then it was handled once
    await until(() => handled.length === 1, 'the replayed event');
    await bus.publish(event('dldup.sentinel'));
    await until(() => handled.length === 2, 'the sentinel');
    expect(handled[0]).toBe(first);
  }, 60_000);
});
