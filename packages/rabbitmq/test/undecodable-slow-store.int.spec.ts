import { afterEach, describe, expect, it } from 'vitest';
import { BusFactory, event, rawInjector, until } from './helpers.js';

const buses = new BusFactory();
afterEach(() => buses.cleanup(), 120_000);
const inject = rawInjector();

/**
 * Why the conformance suite's malformed-message cases could time out on a loaded machine: a
 * dead letter goes to a durable queue as a persistent message, so the broker confirms it only
 * after writing it to disk, and under heavy I/O that takes seconds. The undecodable message held
 * its subscription's only handler slot while it waited, so the sound event behind it (in a
 * transient queue, confirmed at once) was not handed to its handler. The slow confirm is
 * simulated here by holding the dead-letter store's writes.
 */
describe('RabbitMQEventBus: an undecodable message whose dead letter is slow to confirm', () => {
  it('does not hold up the sound events behind it, and is acked only once its dead letter is stored', async () => {
    // Given a subscriber at concurrency 1 whose dead-letter writes take as long as the test lets them
    const bus = buses.create('slowdl');
    const store = (bus as unknown as { deadLetterQueue: { add: (...args: unknown[]) => Promise<void> } }).deadLetterQueue;
    const add = store.add.bind(store);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let writes = 0;
    store.add = async (...args: unknown[]) => {
      writes++;
      await held;
      return add(...args);
    };
    const handled: string[] = [];
    await bus.subscribe('slowdl.#', (ev) => {
      handled.push(ev.id);
    }, { concurrency: 1 });

    // When junk arrives, then a sound event
    await inject(bus, 'slowdl.item', '[1, 2, 3]');
    await until(() => writes === 1, 'the junk to reach the dead-letter store', 10_000);
    const sound = event('slowdl.item');
    await bus.publish(sound);

    // Then the sound event is handled while the junk's dead letter is still waiting
    await until(() => handled.includes(sound.id), 'the sound event to be handled while the dead letter waits', 10_000);
    expect(await bus.deadLetters.list()).toHaveLength(0);

    // And once the write goes through, the junk is a dead letter, stored once
    release();
    await until(async () => (await bus.deadLetters.list()).length === 1, 'the junk in the dead letters', 10_000);
    const [record] = await bus.deadLetters.list();
    expect(record!.error.name).toBe('DecodeError');
    expect(handled).toEqual([sound.id]);
  });
});
