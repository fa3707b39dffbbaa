import { isHeraldError } from '@herald/core';
import { afterEach, describe, expect, it } from 'vitest';
import { BusFactory, closeConnectionsNamed, event, seedDeadLetters, until } from './helpers.js';

const buses = new BusFactory();
afterEach(() => buses.cleanup(), 120_000);

const SEEDED = 500;
const KILLS = 5;

describe('RabbitMQEventBus: dead letters while the broker closes our connections', () => {
  it('list, replay and publish under repeated connection closes: no uncaught exception or unhandled rejection, only HeraldErrors, nothing lost', async () => {
    // Given a bus with a group subscriber and 2,000 dead letters, and watchers for anything that escapes
    const escaped: unknown[] = [];
    const onEscape = (error: unknown) => escaped.push(error);
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
    try {
      const bus = buses.create('dlfault', { publishTimeoutMs: 5_000, reconnect: { initialDelayMs: 50, maxDelayMs: 500 } });
      await bus.subscribe('dlfault.#', () => undefined, { group: 'g' });
      await seedDeadLetters(bus.prefix, `${bus.prefix}g`, 'dlfault.item', SEEDED);

      // When lists, single replays and publishes run while this bus's connections are closed again and again
      const failures: unknown[] = [];
      const replayAsked = new Set<string>();
      let stop = false;
      const load = (async () => {
        let n = 0;
        while (!stop) {
          const id = `dl-${n++}`;
          replayAsked.add(id);
          const ops = [bus.deadLetters.list(), bus.deadLetters.replay(id), bus.publish(event('dlfault.live'))];
          for (const r of await Promise.allSettled(ops)) if (r.status === 'rejected') failures.push(r.reason);
        }
      })();
      let kills = 0;
      for (let i = 0; i < KILLS; i++) {
        await until(() => bus.deadLetters.list(1).then(() => true, () => false), 'the bus to answer again', 60_000);
        kills += await closeConnectionsNamed(`herald-test:${bus.prefix}`);
      }
      stop = true;
      await load;

      // Then nothing escaped, every failure was a HeraldError, and every record not replayed is still there
      expect(kills).toBeGreaterThanOrEqual(KILLS);
      expect(escaped.map(String), 'uncaught exceptions / unhandled rejections').toEqual([]);
      expect(failures.filter((f) => !isHeraldError(f)).map(String), 'failures that are not HeraldErrors').toEqual([]);
      const ids = await until(async () => {
        const l = await bus.deadLetters.list().catch(() => undefined);
        return l?.map((r) => r.id);
      }, 'a list after the faults', 60_000);
      const left = new Set(ids);
      expect(left.size, 'no record listed twice').toBe(ids.length);
      const lost = Array.from({ length: SEEDED }, (_, i) => `dl-${i}`).filter((id) => !left.has(id) && !replayAsked.has(id));
      expect(lost, 'records gone although never replayed').toEqual([]);
    } finally {
      await new Promise<void>((resolve) => setImmediate(resolve));
      process.off('uncaughtException', onEscape);
      process.off('unhandledRejection', onEscape);
    }
  }, 300_000);
});
