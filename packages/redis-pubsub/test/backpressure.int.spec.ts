import { isHeraldError, PublishError, type DomainEvent } from '@herald/core';
import { CLOSE_OVERRUN_MS } from '@herald/core/transport';
import { Gate } from '@herald/testing';
import { describe, expect, it } from 'vitest';
import { until } from '../../../tooling/test-support/wait.js';
import { watchWire } from '../../../tooling/test-support/wire-watch.js';
import { seqEvent, useLoggedBuses } from './support/logged-buses.js';

const event = seqEvent;

describe('RedisPubSubEventBus backpressure and bounded memory', () => {
  const { makeBus, startProxy } = useLoggedBuses();

  it('sheds events over a full subscription into its dead letters with OverflowError, logged once, not per event', async () => {
    // Given a subscription whose handler is stuck, with a buffer of 10
    const { bus, logger } = makeBus('shed', { maxBufferedEvents: 10 });
    const stuck = new Gate();
    const handled: number[] = [];
    await bus.subscribe('load.e', async (e) => {
      await stuck.wait();
      handled.push((e as DomainEvent<{ seq: number }>).data.seq);
    });

    // When 200 events arrive
    await bus.publishAll(Array.from({ length: 200 }, (_, i) => event('load.e', i)));

    // Then one is being handled, 10 are buffered and the other 189 are dead letters with OverflowError
    const shed = await until(async () => {
      const list = await bus.deadLetters.list();
      return list.length === 189 ? list : undefined;
    }, '189 shed events in the dead letters');
    expect(new Set(shed.map((r) => r.error.name))).toEqual(new Set(['OverflowError']));
    expect(shed.every((r) => r.pattern === 'load.e' && r.attempts === 0 && r.event !== undefined)).toBe(true);
    // …logged in one line (per interval), not one per event
    const shedLines = logger.lines.filter((l) => l.message.includes('shed'));
    expect(shedLines.length).toBeGreaterThanOrEqual(1);
    expect(shedLines.length).toBeLessThanOrEqual(3);

    // And once the handler is free the 11 it held are handled, none lost: handled + shed = 200
    stuck.open();
    await until(() => handled.length === 11, 'the 11 held events');
    expect(handled).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(handled.length + shed.length).toBe(200);
  });

  it('makes publish wait while maxPublishesInFlight publishes await Redis, within publishTimeoutMs', async () => {
    // Given a bus allowing 2 publishes in flight, in front of a Redis that stops answering (the proxy counts what is sent)
    const proxy = await startProxy();
    const { bus } = makeBus('window', { redis: `redis://${proxy.address}`, maxPublishesInFlight: 2, publishTimeoutMs: 500 });
    await bus.connect();
    proxy.blackhole();
    // Each PUBLISH carries its event's `"seq":` once: the marker
    const wire = watchWire(proxy, '"seq":', 3);
    const start = (seq: number) => wire.track(bus.publish(event('win.e', seq)));

    // When 2 publishes are under way and 3 more are started without awaiting
    const first = [start(0), start(1)];
    await until(() => wire.state.sent === 2, 'the first two publishes on the wire');
    const more = [start(2), start(3), start(4)];

    // Then the third reaches the wire only after one of the first two settled (timed out)
    const results = await Promise.all([...first, ...more]);
    expect(wire.state.settledWhenNthSent ?? wire.state.settled).toBeGreaterThanOrEqual(1);
    // …and every one was settled within its bound with PublishError, none hangs
    for (const r of results) expect(isHeraldError(r, 'PUBLISH'), String(r)).toBe(true);
    expect(results[4]).toBeInstanceOf(PublishError);
    proxy.blackhole(false);
  });

  it('lets every publish through when more than maxPublishesInFlight are started at once', async () => {
    // Given a window of 5 and a subscriber
    const { bus } = makeBus('window-ok', { maxPublishesInFlight: 5 });
    const got = new Set<number>();
    await bus.subscribe('ok.e', (e) => {
      got.add((e as DomainEvent<{ seq: number }>).data.seq);
    });

    // When 500 publishes and a batch larger than the window are started without awaiting each
    await Promise.all([
      ...Array.from({ length: 500 }, (_, i) => bus.publish(event('ok.e', i))),
      bus.publishAll(Array.from({ length: 50 }, (_, i) => event('ok.e', 500 + i))),
    ]);

    // Then every one is published
    await until(() => got.size === 550, 'all 550 events');
  });

  it("replay('all') keeps the records when no subscriber received them", async () => {
    // Given two dead letters from a handler that failed, and then no subscription left
    const { bus } = makeBus('replay-none');
    const sub = await bus.subscribe('rp.e', {
      handle() {
        throw new Error('failing on purpose');
      },
      retryStrategy: { maxAttempts: 1, backoff: { type: 'fixed', delay: 0 } },
    });
    await bus.publishAll([event('rp.e', 0), event('rp.e', 1)]);
    await until(async () => (await bus.deadLetters.list()).length === 2, 'two dead letters');
    await bus.unsubscribe(sub);

    // When every record is replayed while nobody listens
    const replayed = await bus.deadLetters.replay('all');

    // Then none counts as replayed and both records are still there
    expect(replayed).toBe(0);
    expect(await bus.deadLetters.list()).toHaveLength(2);

    // And with a subscriber back they replay and are gone
    const got: number[] = [];
    await bus.subscribe('rp.e', (e) => {
      got.push((e as DomainEvent<{ seq: number }>).data.seq);
    });
    expect(await bus.deadLetters.replay('all')).toBe(2);
    await until(() => got.length === 2, 'the replayed events');
    expect(await bus.deadLetters.list()).toEqual([]);
  });

  it('closes with a backlog over the dead-letter cap keeping the newest records, with few log lines', async () => {
    // Given a stuck subscription holding 20,000 buffered events, a cap of 1,000 dead letters and closeTimeoutMs 2,000
    const { bus, logger } = makeBus('close-cap', { maxBufferedEvents: 50_000, maxDeadLetters: 1_000, closeTimeoutMs: 2_000 });
    await bus.subscribe('bl.e', (_e, ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve())));
    const events = Array.from({ length: 20_000 }, (_, i) => event('bl.e', i));
    for (let i = 0; i < events.length; i += 1_000) await bus.publishAll(events.slice(i, i + 1_000));

    // When the bus closes
    await bus.close();

    // Then the newest 1,000 records are kept (the cap), and the log says so in a few lines, not one per event
    const kept = await bus.deadLetters.list();
    expect(kept).toHaveLength(1_000);
    expect(kept.every((r) => r.error.name === 'BusClosedError')).toBe(true);
    expect(logger.lines.filter((l) => l.level === 'error' || l.level === 'warn').length).toBeLessThan(10);
  });

  it('closes within closeTimeoutMs + CLOSE_OVERRUN_MS whatever the backlog; what could not be dead-lettered is counted in one line', async () => {
    // Given a stuck subscription holding 20,000 buffered events, room for all of them in the dead letters, closeTimeoutMs 1,000,
    // and Redis behind a link that adds 150 ms to every command (so writing them all takes longer than the timeout)
    const closeTimeoutMs = 1_000;
    const proxy = await startProxy();
    const { bus, logger } = makeBus('close-backlog', {
      redis: `redis://${proxy.address}`,
      maxBufferedEvents: 50_000,
      maxDeadLetters: 20_000,
      closeTimeoutMs,
    });
    let handled = 0;
    await bus.subscribe('bl.e', async (_e, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      handled++;
    });
    const events = Array.from({ length: 20_000 }, (_, i) => event('bl.e', i));
    let marked = false;
    await bus.subscribe('bl.marker', () => {
      marked = true;
    });
    for (let i = 0; i < events.length; i += 1_000) await bus.publishAll(events.slice(i, i + 1_000));
    // Pub/sub keeps order: once the marker is in, so is the whole backlog
    await bus.publish(event('bl.marker', 0));
    await until(() => marked, 'the marker after the backlog', 30_000);
    proxy.delayMs = 150;

    // When the bus closes
    const startedAt = performance.now();
    await bus.close();
    const tookMs = performance.now() - startedAt;

    // Then close() honours its timeout: the bound is the requirement (1,500 ms of slack for a loaded machine)
    expect(tookMs).toBeLessThan(closeTimeoutMs + CLOSE_OVERRUN_MS + 1_500);
    proxy.delayMs = 0;
    // And every event is handled (the one the stuck handler held, aborted), a dead letter, or counted as lost
    const written = (await bus.deadLetters.list()).length;
    const lost = bus.deadLettersLostOnClose;
    expect(handled).toBe(1);
    expect(written + lost).toBe(20_000 - handled);
    // …and the loss, if any, is one error line with the count, never one per event
    const summaries = logger.lines.filter((l) => l.message.includes('could not be dead-lettered before closeTimeoutMs'));
    if (lost > 0) {
      expect(summaries).toHaveLength(1);
      expect(summaries[0]!.level).toBe('error');
      expect(summaries[0]!.message).toBe(`${lost} buffered events could not be dead-lettered before closeTimeoutMs; lost`);
      expect(summaries[0]!.fields).toMatchObject({ buffered: 20_000 - handled, deadLettered: written, lost });
    } else {
      expect(summaries).toEqual([]);
    }
    expect(logger.lines.filter((l) => l.level === 'error' || l.level === 'warn').length).toBeLessThan(10);
  });
});
