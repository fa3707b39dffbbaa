import { InMemoryEventBus, createDomainEvent } from '@herald/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowMonitor, RECENT_ITEMS } from '../src/infrastructure/flow-monitor.js';

const points = (player: string, n: number) =>
  createDomainEvent({
    type: 'gamifier.points.awarded',
    aggregateId: player,
    aggregateType: 'Player',
    data: { points: n },
    metadata: { source: 'test', environment: 'test' },
  });

describe('FlowMonitor.recent', () => {
  let bus: InMemoryEventBus | undefined;
  afterEach(async () => {
    await bus?.close();
  });

  it('keeps the latest events and failures, oldest first, even with no listener attached', async () => {
    // Given a monitored bus with one handler that always fails once, and no dashboard listening
    const monitor = new FlowMonitor();
    bus = new InMemoryEventBus({ middleware: [monitor.middleware], retry: { maxAttempts: 1, backoff: { type: 'fixed', delay: 0 } } });
    await monitor.tap(bus);
    await bus.subscribe('gamifier.points.*', () => {
      throw new Error('notifier down');
    });

    // When more events than the window holds go through
    const total = RECENT_ITEMS + 20;
    for (let i = 0; i < total; i++) await bus.publish(points(`p-${i}`, i));
    await bus.close();

    // Then the window holds exactly the last RECENT_ITEMS of each, in order
    const { events, failures } = monitor.recent();
    expect(events).toHaveLength(RECENT_ITEMS);
    expect(events[0]!.aggregateId).toBe(`p-${total - RECENT_ITEMS}`);
    expect(events.at(-1)!.aggregateId).toBe(`p-${total - 1}`);
    expect(failures).toHaveLength(RECENT_ITEMS);
    expect(failures.at(-1)).toMatchObject({ status: 'dead_lettered', error: 'Error: notifier down' });
  });
});
