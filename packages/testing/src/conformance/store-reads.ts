import type { DomainEvent } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { collectPages, domainEvent, domainEvents, ids, isStrictlyIncreasing, readAll } from './store-fixtures.js';
import type { StoreHarness } from './store-harness.js';

/** Stream reads, the global log, exact round trips, isolation of stream ids, no aliasing. */
export function registerReadCases(h: StoreHarness, { describe, it }: CaseRegistry): void {
  describe('stream reads', () => {
    it('a missing stream reads as []', async () => {
      // Given a store with another stream
      const store = h.store();
      await store.saveEvents('present', domainEvents('present', 1), 0);

      // When a stream that was never written is read
      const events = await store.getEvents('absent');

      // Then it is empty, from any version
      expect(events).toEqual([]);
      expect(await store.getEvents('absent', 3)).toEqual([]);
    });

    it('fromVersion is inclusive, and past the end gives []', async () => {
      // Given a stream of 5 events
      const store = h.store();
      const saved = domainEvents('s', 5);
      await store.saveEvents('s', saved, 0);

      // When it is read from several versions
      const from0 = await store.getEvents('s', 0);
      const from1 = await store.getEvents('s', 1);
      const from3 = await store.getEvents('s', 3);
      const from5 = await store.getEvents('s', 5);
      const from6 = await store.getEvents('s', 6);
      const from100 = await store.getEvents('s', 100);

      // Then each starts at that version
      expect(ids(from0)).toEqual(ids(saved));
      expect(ids(from1)).toEqual(ids(saved));
      expect(from3.map((e) => e.version)).toEqual([3, 4, 5]);
      expect(ids(from3)).toEqual(ids(saved.slice(2)));
      expect(from5.map((e) => e.version)).toEqual([5]);
      expect(from6).toEqual([]);
      expect(from100).toEqual([]);
    });

    it('round-trips an event exactly: Date timestamp, nested data with a Date, metadata', async () => {
      // Given an event with every kind of value the wire carries
      const store = h.store();
      const event = domainEvent(
        'order-7',
        {
          total: 12.5,
          negative: -3,
          flag: false,
          nothing: null,
          text: 'zwölf — 12 🚀',
          lookalike: '2024-01-02T03:04:05.678Z',
          dollar: { $date: 'not a date' },
          control: '\u0000d123 \u0001',
          nested: { lines: [{ sku: 'A-1', qty: 2 }, [1, 'two', [3]]], shippedAt: new Date('2023-05-06T07:08:09.010Z') },
        },
        {
          timestamp: new Date('2024-02-29T23:59:59.999Z'),
          metadata: {
            correlationId: 'corr-1',
            causationId: 'cause-1',
            userId: 'user-1',
            source: 'orders',
            environment: 'test',
            traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
            tenant: { id: 't-1', tags: ['a', 'b'] },
          },
        },
      );

      // When it is saved and read back from the stream and from the log
      await store.saveEvents('order-7', [event], 'no-stream');
      const [fromStream] = await store.getEvents('order-7');
      const [fromLog] = await store.getAllEvents(0, 10);

      // Then both are the same event with its version and position, Dates as Dates, strings as strings
      const expected = { ...event, version: 1, position: fromLog!.position };
      expect(fromStream).toStrictEqual(expected);
      expect(fromLog).toStrictEqual(expected);
      expect(fromStream!.timestamp).toBeInstanceOf(Date);
      const data = fromStream!.data as { lookalike: unknown; nested: { shippedAt: unknown } };
      expect(data.nested.shippedAt).toBeInstanceOf(Date);
      expect(typeof data.lookalike).toBe('string');
    });

    it('mutating what was passed in or read out never changes the store', async () => {
      // Given a saved event
      const store = h.store();
      const event = domainEvent('alias', { nested: { count: 1, list: [1, 2] } });
      const pristine = structuredClone(event);
      await store.saveEvents('alias', [event], 0);

      // When the caller mutates its own event and everything it read back
      (event.data.nested as { count: number }).count = 99;
      event.metadata.source = 'tampered';
      event.timestamp.setTime(0);
      const read = await store.getEvents('alias');
      (read[0]!.data.nested as { list: number[] }).list.push(3);
      read[0]!.timestamp.setTime(0);
      read[0]!.metadata.correlationId = 'tampered';
      read.push(read[0]!);
      const page = await store.getAllEvents(0, 10);
      (page[0]!.data as { extra?: boolean }).extra = true;

      // Then the stored event is still the one that was saved
      const again = await store.getEvents('alias');
      expect(again).toStrictEqual([{ ...pristine, version: 1, position: again[0]!.position }]);
      expect(await store.getAllEvents(0, 10)).toStrictEqual(again);
    });

    it('stream ids that share prefixes or contain special characters never leak into each other', async () => {
      // Given one event in each of many lookalike streams, including names of a store's internals
      const store = h.store();
      const streamIds = [
        'order-1', 'order-10', 'order-1:', 'order', 'order:1', 'a:b', 'a', 'b', 'a:b:c',
        '*', 'order-*', '?', '[a]', '{tag}', '{', '}', '{order-1}', 'with space', ' ', 'tab\there', 'new\nline',
        'ünïcødé', '流水', '🚀', '%3A', ':', '%', '%25', '\\', '/', 'head', 'seq', 'events', 'stream:order-1', 's:order-1',
      ];
      const saved = new Map<string, DomainEvent>();
      for (const id of streamIds) {
        const event = domainEvent(id, { stream: id });
        saved.set(id, event);
        await store.saveEvents(id, [event], 'no-stream');
      }

      // When each stream is read
      const reads = await Promise.all(streamIds.map((id) => store.getEvents(id)));

      // Then every stream holds exactly its own event, and the log holds all of them once
      streamIds.forEach((id, i) => {
        const events = reads[i] ?? [];
        expect(ids(events), `stream ${JSON.stringify(id)}`).toEqual([saved.get(id)?.id]);
        expect(events[0]?.version).toBe(1);
      });
      expect(new Set(ids(await readAll(store))).size).toBe(streamIds.length);
    });
  });

  describe('global log', () => {
    it('orders events across interleaved streams by commit order', async () => {
      // Given appends interleaved across three streams
      const store = h.store();
      const order: DomainEvent[] = [];
      const versions = new Map<string, number>();
      for (const stream of ['x', 'y', 'x', 'z', 'y', 'x', 'z', 'z', 'y', 'x']) {
        const event = domainEvent(stream);
        const version = versions.get(stream) ?? 0;
        await store.saveEvents(stream, [event], version);
        versions.set(stream, version + 1);
        order.push(event);
      }

      // When the log is read
      const all = await store.getAllEvents(0, 100);

      // Then it is in save order with strictly increasing positions, each event with its stream version
      expect(ids(all)).toEqual(ids(order));
      expect(isStrictlyIncreasing(all.map((e) => e.position))).toBe(true);
      expect(all.filter((e) => e.aggregateId === 'x').map((e) => e.version)).toEqual([1, 2, 3, 4]);
    });

    it('pages of 3 from last position + 1 yield every event once, in order', async () => {
      // Given 3 streams with 10 events in all
      const store = h.store();
      const saved = [...domainEvents('p', 4), ...domainEvents('q', 3), ...domainEvents('r', 3)];
      await store.saveEvents('p', saved.slice(0, 4), 0);
      await store.saveEvents('q', saved.slice(4, 7), 0);
      await store.saveEvents('r', saved.slice(7), 0);

      // When the log is paged 3 at a time
      const paged = await collectPages(store, 3);

      // Then every event comes once, in order
      expect(ids(paged)).toEqual(ids(saved));
      expect(isStrictlyIncreasing(paged.map((e) => e.position))).toBe(true);
    });

    it('fromPosition is inclusive; past the head gives []; the defaults read 100 from the start', async () => {
      // Given 150 events
      const store = h.store();
      const saved = domainEvents('many', 150);
      await store.saveEvents('many', saved, 0);
      const all = await readAll(store);
      const tenth = all[9]!;

      // When the log is read from the 10th position, past the head, and with defaults
      const fromTenth = await store.getAllEvents(tenth.position, 5);
      const past = await store.getAllEvents(all[149]!.position + 1, 5);
      const defaults = await store.getAllEvents();

      // Then each read starts where asked
      expect(ids(fromTenth)).toEqual(ids(saved.slice(9, 14)));
      expect(past).toEqual([]);
      expect(ids(defaults)).toEqual(ids(saved.slice(0, 100)));
    });
  });
}
