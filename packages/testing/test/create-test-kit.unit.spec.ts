import { createCommand, createDomainEvent, InMemoryEventBus, isHeraldError, type Command, type DomainEvent } from '@herald/core';
import { InMemoryEventStore } from '@herald/in-memory-store';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestKit, RecordingEventBus, type TestKit } from '../src/index.js';
import { Account } from './support/account.js';

describe('createTestKit', () => {
  const kits: TestKit[] = [];
  const kit = (options?: Parameters<typeof createTestKit>[0]) => {
    const k = createTestKit(options);
    kits.push(k);
    return k;
  };
  afterEach(async () => {
    await Promise.all(kits.splice(0).map((k) => k.close()));
  });

  it('gives a recording in-memory bus, an in-memory store and a command bus', () => {
    const { bus, store, commands } = kit();

    expect(bus).toBeInstanceOf(RecordingEventBus);
    expect(bus.inner).toBeInstanceOf(InMemoryEventBus);
    expect(store).toBeInstanceOf(InMemoryEventStore);
    expect(typeof commands.dispatch).toBe('function');
  });

  it('hands handlers what production transports deliver: a Date in data arrives as its ISO string', async () => {
    // Given a kit and a handler that keeps what it receives
    const { bus } = kit();
    const received: DomainEvent[] = [];
    await bus.subscribe<DomainEvent>('shape.in.kit', (e) => void received.push(e));
    const at = new Date('2024-05-06T07:08:09.010Z');

    // When an event with a Date in its data is published
    await bus.publish(createDomainEvent({
      type: 'shape.in.kit',
      aggregateId: 'a-1',
      aggregateType: 'A',
      data: { at, code: '2024-01-01T00:00:00.000Z' },
      metadata: { source: 'test', environment: 'test' },
    }));
    await bus.settle();

    // Then the handler got JSON's shape, as on Redis or RabbitMQ
    expect(received).toHaveLength(1);
    expect(received[0]!.data).toEqual({ at: '2024-05-06T07:08:09.010Z', code: '2024-01-01T00:00:00.000Z' });
    expect(received[0]!.timestamp).toBeInstanceOf(Date);
  });

  it('runs a command → aggregate → store → bus flow end to end', async () => {
    // Given a command handler that loads, changes and saves an account, then publishes its events
    const { bus, store, commands, repository } = kit();
    const accounts = repository((id) => new Account(id));
    commands.register('account.open', {
      async handle(command: Command<{ id: string; owner: string }>) {
        const account = await accounts.load(command.payload.id);
        account.open(command.payload.owner);
        const { events } = await accounts.save(account);
        await bus.publishAll(events);
      },
    });
    const welcomed: string[] = [];
    await bus.subscribe<DomainEvent<{ owner: string }>>('account.opened', (e) => {
      welcomed.push(e.data.owner);
    });

    // When the command is dispatched
    await commands.dispatch(createCommand('account.open', { id: 'acc-1', owner: 'ada' }));

    // Then the event is stored, published and handled
    const opened = await bus.waitFor<DomainEvent>('account.*');
    expect(opened.data).toEqual({ owner: 'ada' });
    await bus.settle();
    expect(welcomed).toEqual(['ada']);
    expect((await store.getEvents('acc-1')).map((e) => e.type)).toEqual(['account.opened']);
    expect((await accounts.load('acc-1')).owner).toBe('ada');
  });

  it('passes bus options through (retry strategy) and bounds waits with timeoutMs', async () => {
    const { bus } = kit({ retry: { maxAttempts: 2, backoff: { type: 'fixed', delay: 1 } }, timeoutMs: 25 });
    await bus.subscribe('jobs.*', () => {
      throw new Error('fails');
    });

    await bus.publish((await import('./support/events.js')).event('jobs.run'));
    await bus.settle();

    expect((await bus.deadLetters.list()).map((r) => r.attempts)).toEqual([2]);
    await expect(bus.waitFor('never.*')).rejects.toThrow('timed out after 25 ms');
  });

  it('keeps kits isolated from each other', async () => {
    const a = kit();
    const b = kit();
    const seen: string[] = [];
    await b.bus.subscribe('#', (e) => {
      seen.push(e.type);
    });

    await a.bus.publish((await import('./support/events.js')).event('only.in.a'));
    await a.bus.settle();

    expect(seen).toEqual([]);
    expect(b.bus.published).toEqual([]);
  });

  it('close is idempotent and closes the bus', async () => {
    const k = kit();
    await Promise.all([k.close(), k.close()]);
    await k.close();

    await expect(k.bus.publish((await import('./support/events.js')).event('after.close'))).rejects.toSatisfy((e) =>
      isHeraldError(e, 'BUS_CLOSED'),
    );
  });
});
