import { afterEach, describe, expect, it } from 'vitest';
import {
  type BaseEvent,
  BusClosedError,
  type ConnectionStateChange,
  type HandlerContext,
  InMemoryEventBus,
  type InMemoryEventBusOptions,
  type RetryStrategy,
  ValidationError,
} from '../src/index.js';
import { CLOSE_OVERRUN_MS, closeReserveMs } from '../src/transport.js';
import { deferred, domainEvent, eventually, flush, recordingLogger, track } from './helpers.js';

const buses: InMemoryEventBus[] = [];
function bus(options: InMemoryEventBusOptions = {}): InMemoryEventBus {
  const b = new InMemoryEventBus(options);
  buses.push(b);
  return b;
}
afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});

const noRetry: RetryStrategy = { maxAttempts: 1, backoff: { type: 'fixed', delay: 0 } };
const longBackoff = (maxAttempts = 3): RetryStrategy => ({ maxAttempts, backoff: { type: 'fixed', delay: 60_000 } });

describe('InMemoryEventBus options', () => {
  it.each(['highWaterMark', 'closeTimeoutMs', 'maxDeadLetters'] as const)('rejects %s below 1', (option) => {
    expect(() => new InMemoryEventBus({ [option]: 0 })).toThrow(ValidationError);
    expect(() => new InMemoryEventBus({ [option]: 1.5 })).toThrow(ValidationError);
  });

  it('says what it can do', () => {
    expect(new InMemoryEventBus().capabilities).toEqual({
      persistent: false,
      consumerGroups: true,
      redelivery: false,
      ordered: true,
      deadLetters: true,
    });
  });
});

describe('InMemoryEventBus backpressure', () => {
  it('publish waits while a subscription buffer is at its high-water mark, and resumes as it drains', async () => {
    // Given a subscription whose handler is held, and room for two buffered events
    const b = bus({ highWaterMark: 2 });
    const gate = deferred();
    const handled: number[] = [];
    await b.subscribe('load.test', async (e: BaseEvent & { data?: { n?: number } }) => {
      await gate.promise;
      handled.push((e as unknown as { data: { n: number } }).data.n);
    });
    const ev = (n: number) => domainEvent({ type: 'load.test', data: { n } });
    // When
    await b.publish(ev(1)); // taken by the handler
    await b.publish(ev(2)); // buffered (1 of 2)
    const third = track(b.publish(ev(3))); // buffered (2 of 2): at the mark
    await flush();
    // Then
    expect(third.settled).toBe(false);
    // When the handler is released
    gate.resolve();
    // Then the publish resolves and everything is handled in order
    await eventually(() => third.settled, 'the third publish to resolve');
    expect(third.error).toBeUndefined();
    await eventually(() => handled.length === 3, 'three events handled');
    expect(handled).toEqual([1, 2, 3]);
  });

  it('a publish that waits on backpressure is waited for by close', async () => {
    // Given
    const b = bus({ highWaterMark: 1 });
    const gate = deferred();
    let handled = 0;
    await b.subscribe('bp.close', async () => {
      await gate.promise;
      handled++;
    });
    await b.publish(domainEvent({ type: 'bp.close' }));
    const waiting = track(b.publish(domainEvent({ type: 'bp.close' })));
    await flush();
    expect(waiting.settled).toBe(false);
    // When
    const closing = track(b.close());
    await flush();
    expect(closing.settled).toBe(false);
    gate.resolve();
    // Then
    await eventually(() => closing.settled, 'close to resolve');
    expect(waiting).toMatchObject({ settled: true, error: undefined });
    expect(handled).toBe(2);
  });
});

describe('InMemoryEventBus close', () => {
  it('drains: buffered events are handled before close resolves', async () => {
    // Given
    const b = bus();
    const handled: string[] = [];
    const gate = deferred();
    await b.subscribe('drain.test', async (e) => {
      await gate.promise;
      handled.push(e.id);
    });
    const events = Array.from({ length: 5 }, () => domainEvent({ type: 'drain.test' }));
    for (const e of events) await b.publish(e);
    // When
    const closing = track(b.close());
    await flush();
    expect(closing.settled).toBe(false);
    gate.resolve();
    await eventually(() => closing.settled, 'close to resolve');
    // Then
    expect(handled).toEqual(events.map((e) => e.id));
    expect(await b.deadLetters.list()).toEqual([]);
  });

  it('after the close timeout aborts ctx.signal and dead-letters what never ran with BusClosedError', async () => {
    // Given a handler that only stops when aborted, and two events queued behind it
    const closeTimeoutMs = 200;
    const b = bus({ closeTimeoutMs });
    const signals: AbortSignal[] = [];
    let abortedAt = 0;
    await b.subscribe('stuck.handler', (_e, ctx: HandlerContext) => {
      signals.push(ctx.signal);
      return new Promise<void>((resolve) =>
        ctx.signal.addEventListener('abort', () => {
          abortedAt = performance.now();
          resolve();
        }),
      );
    });
    const first = domainEvent({ type: 'stuck.handler' });
    const queued = [domainEvent({ type: 'stuck.handler' }), domainEvent({ type: 'stuck.handler' })];
    for (const e of [first, ...queued]) await b.publish(e);
    await eventually(() => signals.length === 1, 'the first event to reach the handler');
    // When
    const started = performance.now();
    await b.close();
    const elapsed = performance.now() - started;
    // Then the running handler was aborted with a BusClosedError, once the timeout passed (not twice over)
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[0]!.reason).toBeInstanceOf(BusClosedError);
    // (handlers get the close timeout less its reserve for aborting and dead-lettering; close ends by the deadline)
    expect(abortedAt - started).toBeGreaterThanOrEqual(closeTimeoutMs - closeReserveMs(closeTimeoutMs) - 20);
    expect(abortedAt - started).toBeLessThan(closeTimeoutMs);
    expect(elapsed).toBeLessThan(closeTimeoutMs + CLOSE_OVERRUN_MS);
    // And the events that never ran are dead letters, in order, with the bus-closed error
    const dead = await b.deadLetters.list();
    expect(dead.map((d) => d.event?.id)).toEqual(queued.map((e) => e.id));
    for (const d of dead) {
      expect(d).toMatchObject({ attempts: 0, pattern: 'stuck.handler', error: { name: 'BusClosedError' } });
    }
  });

  it('closes a 20,000-event backlog within closeTimeoutMs + CLOSE_OVERRUN_MS, every event a dead letter, cap drops in one line', async () => {
    // Given a stuck handler with 20,000 events queued behind it (publishes not awaited), room for 15,000 dead letters
    const closeTimeoutMs = 200;
    const logger = recordingLogger();
    const b = bus({ closeTimeoutMs, highWaterMark: 50_000, maxDeadLetters: 15_000, logger });
    let running = 0;
    await b.subscribe('backlog.e', (_e, ctx: HandlerContext) => {
      running++;
      return new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
    });
    const publishes = Array.from({ length: 20_001 }, () => b.publish(domainEvent({ type: 'backlog.e' })));
    await Promise.all(publishes);
    await eventually(() => running === 1, 'the first event to reach the handler');
    // When
    const started = performance.now();
    await b.close();
    const elapsed = performance.now() - started;
    // Then close honoured its timeout (1,500 ms of slack for a loaded machine), nothing was lost
    expect(elapsed).toBeLessThan(closeTimeoutMs + CLOSE_OVERRUN_MS + 1_500);
    expect(b.deadLettersLostOnClose).toBe(0);
    expect(logger.lines.filter((l) => l.message.includes('could not be dead-lettered'))).toEqual([]);
    // And the 20,000 became dead letters, the newest 15,000 kept, the 5,000 over the cap reported in one line
    expect(await b.deadLetters.list()).toHaveLength(15_000);
    await eventually(() => logger.lines.some((l) => l.message.includes('oldest records dropped')), 'the drop line');
    const drops = logger.lines.filter((l) => l.message.includes('oldest records dropped'));
    expect(drops).toHaveLength(1);
    expect(drops[0]!.fields).toMatchObject({ dropped: 5_000 });
  });

  it('rejects publish, subscribe and connect after close; close is idempotent; listeners hear "closed"', async () => {
    // Given
    const b = bus();
    const changes: ConnectionStateChange[] = [];
    b.on('connection', (c) => changes.push(c));
    await b.connect();
    // When
    const first = b.close();
    const second = b.close();
    await Promise.all([first, second]);
    // Then
    expect(second).toBe(first);
    await expect(b.publish(domainEvent())).rejects.toBeInstanceOf(BusClosedError);
    await expect(b.subscribe('a.b', async () => {})).rejects.toBeInstanceOf(BusClosedError);
    await expect(b.connect()).rejects.toBeInstanceOf(BusClosedError);
    expect(changes).toEqual([{ state: 'closed', previous: 'connected' }]);
  });

  it('waits for a publish still inside async publish middleware', async () => {
    // Given
    const gate = deferred();
    const b = bus({
      middleware: [
        {
          publish: async (e, next) => {
            await gate.promise;
            await next(e);
          },
        },
      ],
    });
    const handled: string[] = [];
    await b.subscribe('mw.slow', async (e) => void handled.push(e.id));
    const event = domainEvent({ type: 'mw.slow' });
    const publishing = track(b.publish(event));
    // When
    const closing = track(b.close());
    await flush();
    expect(closing.settled).toBe(false);
    gate.resolve();
    // Then
    await eventually(() => closing.settled, 'close to resolve');
    expect(publishing).toMatchObject({ settled: true, error: undefined });
    expect(handled).toEqual([event.id]);
  });
});

describe('InMemoryEventBus unsubscribe', () => {
  it('during a retry backoff hands the event to a group sibling, which continues the attempt count', async () => {
    // Given two members of one group; the first one to get the event fails and waits a long backoff
    const b = bus();
    const failingCalls: number[] = [];
    const siblingCalls: number[] = [];
    const failing = await b.subscribe(
      'group.handoff',
      {
        handle: async (_e, ctx) => {
          failingCalls.push(ctx.attempt);
          throw new Error('member down');
        },
        retryStrategy: longBackoff(3),
      },
      { group: 'workers' },
    );
    await b.subscribe(
      'group.handoff',
      { handle: async (_e, ctx) => void siblingCalls.push(ctx.attempt), retryStrategy: longBackoff(3) },
      { group: 'workers' },
    );
    await b.publish(domainEvent({ type: 'group.handoff' }));
    await eventually(() => failingCalls.length === 1, 'the first member to fail once');
    // When
    const started = performance.now();
    await b.unsubscribe(failing);
    // Then (without waiting out the backoff)
    await eventually(() => siblingCalls.length === 1, 'the sibling to get the event');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(siblingCalls).toEqual([2]);
    expect(failingCalls).toEqual([1]);
    expect(await b.deadLetters.list()).toEqual([]);
  });

  it('during a retry backoff without a sibling dead-letters the event promptly', async () => {
    // Given
    const b = bus();
    let calls = 0;
    const sub = await b.subscribe('solo.retry', {
      handle: async () => {
        calls++;
        throw new Error('down');
      },
      retryStrategy: longBackoff(5),
    });
    const event = domainEvent({ type: 'solo.retry' });
    await b.publish(event);
    await eventually(() => calls === 1, 'the first attempt');
    // When
    await b.unsubscribe(sub);
    // Then
    const dead = await b.deadLetters.list();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ event: { id: event.id }, attempts: 1, pattern: 'solo.retry', error: { message: 'down' } });
    expect(calls).toBe(1);
  });

  it('is a barrier: after it resolves the handler never runs again; and it is idempotent', async () => {
    // Given
    const b = bus();
    let calls = 0;
    const sub = await b.subscribe('barrier.test', async () => void calls++);
    await b.publish(domainEvent({ type: 'barrier.test' }));
    await eventually(() => calls === 1, 'one event handled');
    // When
    await b.unsubscribe(sub);
    await b.unsubscribe(sub);
    await b.publish(domainEvent({ type: 'barrier.test' }));
    await flush();
    // Then
    expect(calls).toBe(1);
  });
});

describe('InMemoryEventBus groups', () => {
  it('rejects a group member whose pattern differs from the group', async () => {
    // Given
    const b = bus();
    await b.subscribe('orders.*', async () => {}, { group: 'billing' });
    // When
    const second = b.subscribe('payments.*', async () => {}, { group: 'billing' });
    // Then
    await expect(second).rejects.toBeInstanceOf(ValidationError);
    await expect(second).rejects.toMatchObject({ field: 'pattern' });
    await expect(b.subscribe('orders.*', async () => {}, { group: 'billing' })).resolves.toMatchObject({ group: 'billing' });
  });

  it('shares the events of a group between its members', async () => {
    // Given
    const b = bus();
    const seen = { a: 0, b: 0 };
    await b.subscribe('share.work', async () => void seen.a++, { group: 'g' });
    await b.subscribe('share.work', async () => void seen.b++, { group: 'g' });
    // When
    for (let i = 0; i < 10; i++) await b.publish(domainEvent({ type: 'share.work' }));
    await eventually(() => seen.a + seen.b === 10, 'ten events handled');
    // Then
    expect(seen.a).toBeGreaterThan(0);
    expect(seen.b).toBeGreaterThan(0);
  });
});

describe('InMemoryEventBus dead letters', () => {
  it('replays a dead letter to the subscription that failed, not to another one on the same pattern', async () => {
    // Given two ungrouped subscriptions on one pattern; the second fails until fixed
    const b = bus();
    const healthy: string[] = [];
    const fixedUp: string[] = [];
    let broken = true;
    await b.subscribe('replay.target', async (e) => void healthy.push(e.id));
    await b.subscribe('replay.target', {
      handle: async (e) => {
        if (broken) throw new Error('not yet');
        fixedUp.push(e.id);
      },
      retryStrategy: noRetry,
    });
    const event = domainEvent({ type: 'replay.target' });
    await b.publish(event);
    await eventually(() => healthy.length === 1, 'the healthy subscription to handle it');
    const dead = await waitForDeadLetters(b, 1);
    // When
    broken = false;
    const replayed = await b.deadLetters.replay(dead[0]!.id);
    // Then
    expect(replayed).toBe(1);
    await eventually(() => fixedUp.length === 1, 'the fixed subscription to handle the replay');
    expect(fixedUp).toEqual([event.id]);
    expect(healthy).toEqual([event.id]);
    expect(await b.deadLetters.list()).toEqual([]);
  });

  it('replays to the group whose member failed', async () => {
    // Given
    const b = bus();
    const other: string[] = [];
    const group: string[] = [];
    let broken = true;
    await b.subscribe('replay.group', async (e) => void other.push(e.id));
    await b.subscribe(
      'replay.group',
      {
        handle: async (e) => {
          if (broken) throw new Error('not yet');
          group.push(e.id);
        },
        retryStrategy: noRetry,
      },
      { group: 'g' },
    );
    await b.publish(domainEvent({ type: 'replay.group' }));
    await eventually(() => other.length === 1, 'the ungrouped subscription to handle it');
    const dead = await waitForDeadLetters(b, 1);
    expect(dead[0]!.group).toBe('g');
    // When
    broken = false;
    await b.deadLetters.replay('all');
    // Then
    await eventually(() => group.length === 1, 'the group to handle the replay');
    expect(other).toHaveLength(1);
  });

  it('replays to current subscribers when the failing subscription is gone', async () => {
    // Given
    const b = bus();
    const sub = await b.subscribe('replay.gone', { handle: async () => Promise.reject(new Error('x')), retryStrategy: noRetry });
    await b.publish(domainEvent({ type: 'replay.gone' }));
    const [record] = await waitForDeadLetters(b, 1);
    await b.unsubscribe(sub);
    const later: string[] = [];
    await b.subscribe('replay.*', async (e) => void later.push(e.id));
    // When
    await b.deadLetters.replay(record!.id);
    // Then
    await eventually(() => later.length === 1, 'the new subscriber to get the replay');
    expect(later).toEqual([record?.event?.id]);
  });

  it('list takes an optional limit and rejects a bad one; purge empties', async () => {
    // Given
    const b = bus();
    await b.subscribe('dl.list', { handle: async () => Promise.reject(new Error('x')), retryStrategy: noRetry });
    for (let i = 0; i < 3; i++) await b.publish(domainEvent({ type: 'dl.list' }));
    await waitForDeadLetters(b, 3);
    // When / Then
    expect(await b.deadLetters.list(2)).toHaveLength(2);
    await expect(b.deadLetters.list(-1)).rejects.toBeInstanceOf(ValidationError);
    await expect(b.deadLetters.replay('')).rejects.toBeInstanceOf(ValidationError);
    expect(await b.deadLetters.purge()).toBe(3);
    expect(await b.deadLetters.list()).toEqual([]);
  });

  it('keeps at most maxDeadLetters, dropping (and logging) the oldest', async () => {
    // Given
    const logger = recordingLogger();
    const b = bus({ maxDeadLetters: 2, logger });
    await b.subscribe('dl.max', { handle: async () => Promise.reject(new Error('x')), retryStrategy: noRetry });
    const events = [1, 2, 3].map(() => domainEvent({ type: 'dl.max' }));
    // When
    for (const e of events) await b.publish(e);
    await eventually(() => logger.lines.some((l) => /oldest records dropped/.test(l.message) && l.fields.dropped === 1), 'the overflow to be logged');
    // Then
    const dead = await b.deadLetters.list();
    expect(dead.map((d) => d.event?.id)).toEqual([events[1]!.id, events[2]!.id]);
  });
});

describe('InMemoryEventBus robustness', () => {
  it('a logger that throws neither loses a dead letter nor leaves an unhandled rejection', async () => {
    // Given
    const boom = () => {
      throw new Error('logger down');
    };
    const b = bus({ logger: { debug: boom, info: boom, warn: boom, error: boom }, maxDeadLetters: 1 });
    let calls = 0;
    await b.subscribe('noisy.logger', {
      handle: async () => {
        calls++;
        throw new Error('handler down');
      },
      retryStrategy: { maxAttempts: 2, backoff: { type: 'fixed', delay: 0 } },
    });
    // When
    await b.publish(domainEvent({ type: 'noisy.logger' }));
    // Then
    const dead = await waitForDeadLetters(b, 1);
    expect(calls).toBe(2);
    expect(dead[0]).toMatchObject({ attempts: 2, error: { message: 'handler down' } });
  });

  it('handles events published from inside a handler, in order', async () => {
    // Given
    const b = bus();
    const seen: string[] = [];
    await b.subscribe('chain.*', async (e) => {
      seen.push(e.type);
      if (e.type === 'chain.first') await b.publish(domainEvent({ type: 'chain.second' }));
    });
    // When
    await b.publish(domainEvent({ type: 'chain.first' }));
    await b.publish(domainEvent({ type: 'chain.third' }));
    // Then
    await eventually(() => seen.length === 3, 'three events handled');
    expect(seen).toEqual(['chain.first', 'chain.second', 'chain.third']);
  });
});

describe('InMemoryEventBus publishAll', () => {
  it('validates every event before publishing any, naming the index', async () => {
    // Given
    const b = bus();
    const handled: string[] = [];
    await b.subscribe('all.*', async (e) => void handled.push(e.id));
    const events = [domainEvent({ type: 'all.one' }), domainEvent({ type: 'all.two' }), { ...domainEvent({ type: 'all.three' }), id: '' }];
    // When
    const publishing = b.publishAll(events);
    // Then
    await expect(publishing).rejects.toBeInstanceOf(ValidationError);
    await expect(publishing).rejects.toMatchObject({ field: 'events[2].id' });
    await flush();
    expect(handled).toEqual([]);
    await expect(b.publishAll('nope' as unknown as BaseEvent[])).rejects.toMatchObject({ field: 'events' });
  });

  it('publishes in order', async () => {
    const b = bus();
    const handled: string[] = [];
    await b.subscribe('all.*', async (e) => void handled.push(e.type));
    await b.publishAll([domainEvent({ type: 'all.one' }), domainEvent({ type: 'all.two' })]);
    await eventually(() => handled.length === 2, 'two events handled');
    expect(handled).toEqual(['all.one', 'all.two']);
  });
});

async function waitForDeadLetters(b: InMemoryEventBus, n: number) {
  let list = await b.deadLetters.list();
  const deadline = Date.now() + 2_000;
  while (list.length < n) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} dead letters (have ${list.length})`);
    await new Promise((resolve) => setTimeout(resolve, 1));
    list = await b.deadLetters.list();
  }
  return list;
}

describe('InMemoryEventBus — many concurrent retry waits', () => {
  it('does not warn about abort-signal listeners with concurrency above 10', async () => {
    // Given a subscription with concurrency 32 whose handler fails its first attempt
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const bus = new InMemoryEventBus();
    const seen = new Map<string, number>();
    await bus.subscribe(
      'retry.wait',
      {
        retryStrategy: { maxAttempts: 2, backoff: { type: 'fixed', delay: 20 } },
        async handle(event, ctx) {
          seen.set(event.id, ctx.attempt);
          if (ctx.attempt === 1) throw new Error('first attempt fails');
        },
      },
      { concurrency: 32 },
    );
    // When 32 events wait for their retry at the same time
    for (let i = 0; i < 32; i++) {
      await bus.publish(domainEvent({ type: 'retry.wait' }));
    }
    await bus.close();
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    // Then every event succeeded on its second attempt and Node raised no listener warning
    expect([...seen.values()]).toEqual(new Array(32).fill(2));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
