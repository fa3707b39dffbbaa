import { InMemoryEventBus, isHeraldError, TimeoutError, ValidationError, type DomainEvent } from '@herald/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Gate, RecordingEventBus, waitUntil } from '../src/index.js';
import { event } from './support/events.js';

const fast = { maxAttempts: 2, backoff: { type: 'fixed' as const, delay: 1 } };

describe('RecordingEventBus', () => {
  const gates: Gate[] = [];
  let bus: RecordingEventBus;
  const makeBus = () => {
    bus = new RecordingEventBus(new InMemoryEventBus({ closeTimeoutMs: 2_000 }), { timeoutMs: 1_000 });
    return bus;
  };
  const gate = () => {
    const g = new Gate();
    gates.push(g);
    return g;
  };

  afterEach(async () => {
    for (const g of gates.splice(0)) g.open();
    await bus?.close();
  });

  describe('published', () => {
    it('records every accepted event in publish order, including publishAll batches', async () => {
      // Given a recording bus
      const bus = makeBus();
      const a = event('orders.created');
      const b = event('orders.paid');
      const c = event('orders.shipped');

      // When events are published singly and as a batch
      await bus.publish(a);
      await bus.publishAll([b, c]);

      // Then all are recorded in order
      expect(bus.published).toEqual([a, b, c]);
    });

    it('does not record an event the inner bus rejects', async () => {
      const bus = makeBus();
      const invalid = { ...event('orders.created'), id: '' };

      await expect(bus.publish(invalid)).rejects.toBeInstanceOf(ValidationError);

      expect(bus.published).toEqual([]);
    });
  });

  describe('handled', () => {
    it('records successful handlings with the subscription pattern and the attempt that succeeded', async () => {
      // Given a handler that fails its first attempt
      const bus = makeBus();
      const subscription = await bus.subscribe('orders.*', {
        handle: async (_e, ctx) => {
          if (ctx.attempt === 1) throw new Error('first attempt fails');
        },
        retryStrategy: fast,
      });

      // When an event is published and handled
      const created = event('orders.created');
      await bus.publish(created);
      await bus.settle();

      // Then one handling is recorded, on attempt 2
      expect(bus.handled).toEqual([{ event: created, pattern: 'orders.*', subscription, attempt: 2 }]);
    });

    it('keeps the handler object as `this` and passes filter, errorHandler and retryStrategy through', async () => {
      const bus = makeBus();
      const seen: string[] = [];
      const errors: string[] = [];
      await bus.subscribe('jobs.#', {
        prefix: 'job:',
        filter(e: DomainEvent) {
          return e.data.skip !== true;
        },
        async handle(this: { prefix: string }, e: DomainEvent) {
          if (e.data.fail === true) throw new Error('nope');
          seen.push(this.prefix + e.type);
        },
        async errorHandler(error: Error) {
          errors.push(error.message);
        },
        retryStrategy: fast,
      } as never);

      await bus.publish(event('jobs.run'));
      await bus.publish(event('jobs.skip', { skip: true }));
      await bus.publish(event('jobs.fail', { fail: true }));
      await bus.settle();

      expect(seen).toEqual(['job:jobs.run']);
      expect(errors).toEqual(['nope']);
      expect((await bus.deadLetters.list()).map((r) => r.attempts)).toEqual([2]);
    });
  });

  describe('waitFor', () => {
    it('resolves at once with an event already published', async () => {
      const bus = makeBus();
      const created = event('orders.created', { n: 1 });
      await bus.publish(created);

      await expect(bus.waitFor('orders.*')).resolves.toBe(created);
    });

    it('resolves with a later event matching the pattern and predicate, skipping others', async () => {
      // Given a waiter for a paid order over 100
      const bus = makeBus();
      const waiting = bus.waitFor<DomainEvent<{ total: number }>>('orders.#', (e) => e.data.total > 100);

      // When non-matching and matching events are published
      await bus.publish(event('users.created', { total: 500 }));
      await bus.publish(event('orders.paid', { total: 50 }));
      const big = event('orders.paid', { total: 150 });
      await bus.publish(big);

      // Then it resolves with the matching one
      await expect(waiting).resolves.toBe(big);
    });

    it('sees events handled by its subscriptions even when published on the inner bus', async () => {
      const bus = makeBus();
      await bus.subscribe('audit.#', () => {});
      const waiting = bus.waitFor('audit.#');

      const entry = event('audit.logged');
      await bus.inner.publish(entry);

      await expect(waiting).resolves.toEqual(entry);
      expect(bus.published).toEqual([]);
    });

    it('rejects with a TimeoutError naming the pattern and what was published', async () => {
      const bus = makeBus();
      await bus.publish(event('orders.created'));
      await bus.publish(event('orders.created'));

      const error = await bus.waitFor('payments.*', undefined, 30).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toBe(
        'waitFor("payments.*") timed out after 30 ms: no published or handled event matched (published so far: orders.created ×2)',
      );
    });

    it('rejects an invalid pattern with ValidationError', async () => {
      const bus = makeBus();
      await expect(bus.waitFor('bad pattern')).rejects.toSatisfy((e) => isHeraldError(e, 'VALIDATION'));
    });
  });

  describe('settle', () => {
    it('resolves at once when nothing is pending', async () => {
      const bus = makeBus();
      await bus.subscribe('x.#', () => {});
      await bus.settle();
      await bus.publish(event('y.nobody.listens'));
      await bus.settle();
    });

    it('waits until every subscription has handled every published event', async () => {
      // Given two subscriptions, one of them held up
      const bus = makeBus();
      const held = gate();
      const done: string[] = [];
      await bus.subscribe('orders.*', async (e) => {
        await held.wait();
        done.push(`slow ${e.type}`);
      });
      await bus.subscribe('orders.created', (e) => {
        done.push(`fast ${e.type}`);
      });

      // When events are published
      await bus.publish(event('orders.created'));
      await bus.publish(event('orders.paid'));
      let settled = false;
      const settling = bus.settle().then(() => {
        settled = true;
      });

      // Then settle waits for the held subscription, and resolves once it has caught up
      await waitUntil(() => done.includes('fast orders.created'), { timeoutMs: 1_000, message: 'the fast handler' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      held.open();
      await settling;
      expect(done.sort()).toEqual(['fast orders.created', 'slow orders.created', 'slow orders.paid']);
    });

    it('counts a group once, and treats filtered and dead-lettered events as settled', async () => {
      const bus = makeBus();
      let handledByGroup = 0;
      for (let i = 0; i < 3; i++) {
        await bus.subscribe(
          'work.*',
          () => {
            handledByGroup++;
          },
          { group: 'workers' },
        );
      }
      await bus.subscribe('work.*', { handle: () => {}, filter: () => false });
      await bus.subscribe('work.*', {
        handle: () => {
          throw new Error('always');
        },
        retryStrategy: fast,
      });

      for (let i = 0; i < 5; i++) await bus.publish(event('work.item', { i }));
      await bus.settle();

      expect(handledByGroup).toBe(5);
      expect(await bus.deadLetters.list()).toHaveLength(5);
    });

    it('stops waiting for a subscription once it is unsubscribed', async () => {
      const bus = makeBus();
      const held = gate();
      const subscription = await bus.subscribe('q.*', () => held.wait());
      await bus.publish(event('q.one'));
      await bus.publish(event('q.two'));

      const unsubscribing = bus.unsubscribe(subscription);
      held.open();
      await unsubscribing;

      await bus.settle();
    });

    it('rejects with a TimeoutError naming the unsettled subscription', async () => {
      const bus = makeBus();
      const held = gate();
      await bus.subscribe('stuck.#', () => held.wait(), { group: 'g1' });
      await bus.publish(event('stuck.here'));

      const error = await bus.settle(30).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toBe(
        'settle() timed out after 30 ms; still unsettled: "stuck.#" (group g1): 1 unsettled (stuck.here)',
      );
    });
  });

  describe('pass-through', () => {
    it('exposes the inner bus capabilities, dead letters, connection and close', async () => {
      const inner = new InMemoryEventBus();
      const bus = new RecordingEventBus(inner);
      const states: string[] = [];
      bus.on('connection', (change) => states.push(change.state));

      expect(bus.capabilities).toBe(inner.capabilities);
      expect(bus.deadLetters).toBe(inner.deadLetters);
      await bus.connect();
      await bus.close();

      expect(states).toEqual(['closed']);
      await expect(bus.publish(event('after.close'))).rejects.toSatisfy((e) => isHeraldError(e, 'BUS_CLOSED'));
      await bus.settle();
    });
  });
});
