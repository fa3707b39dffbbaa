import { ConcurrencyError, type EventStore, type StoredEvent } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { domainEvent, domainEvents, ids, isStrictlyIncreasing, readAll, settle } from './store-fixtures.js';
import type { StoreHarness } from './store-harness.js';

/** Races: the version check and the append must be one atomic step. */
export function registerConcurrencyCases(h: StoreHarness, { describe, it }: CaseRegistry): void {
  describe('concurrency', () => {
    async function raceAtSameVersion(writers: EventStore[]): Promise<void> {
      // Given a stream at version 1
      const store = h.store();
      await store.saveEvents('race', domainEvents('race', 1), 0);

      // When 20 writers append at once, all expecting version 1
      const candidates = Array.from({ length: 20 }, () => domainEvent('race'));
      const { fulfilled, rejected } = await settle(
        candidates.map((event, i) => writers[i % writers.length]!.saveEvents('race', [event], 1)),
      );

      // Then exactly one wins; every other gets ConcurrencyError at the winner's version
      expect(fulfilled).toHaveLength(1);
      expect(fulfilled[0]!.nextExpectedVersion).toBe(2);
      expect(rejected).toHaveLength(19);
      for (const error of rejected) {
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ streamId: 'race', expectedVersion: 1, actualVersion: 2 });
      }
      const events = await store.getEvents('race');
      expect(events).toHaveLength(2);
      expect(candidates.map((c) => c.id)).toContain(events[1]!.id);
      expect(await readAll(store)).toHaveLength(2);
    }

    it('20 concurrent saves at the same version: exactly one wins', async () => {
      await raceAtSameVersion([h.store()]);
    });

    if (h.hasPeer) {
      it('20 concurrent saves at the same version across two instances: exactly one wins', async () => {
        await raceAtSameVersion([h.store(), await h.peer()]);
      });
    }

    it("20 concurrent 'no-stream' saves: exactly one creates the stream", async () => {
      // Given a missing stream
      const store = h.store();
      const writers = h.hasPeer ? [store, await h.peer()] : [store];

      // When 20 writers try to create it at once
      const { fulfilled, rejected } = await settle(
        Array.from({ length: 20 }, (_, i) => writers[i % writers.length]!.saveEvents('fresh', domainEvents('fresh', 2), 'no-stream')),
      );

      // Then one batch of 2 made it, whole
      expect(fulfilled).toHaveLength(1);
      expect(rejected.every((e) => e instanceof ConcurrencyError)).toBe(true);
      expect((await store.getEvents('fresh')).map((e) => e.version)).toEqual([1, 2]);
    });

    it("20 concurrent 'any' appends get versions 1..20, contiguous, each event once", async () => {
      // Given 20 writers with one event each
      const store = h.store();
      const writers = h.hasPeer ? [store, await h.peer()] : [store];
      const events = domainEvents('shared', 20);

      // When they all append with 'any' at once
      const results = await Promise.all(events.map((e, i) => writers[i % writers.length]!.saveEvents('shared', [e], 'any')));

      // Then the stream holds all 20 with versions 1..20 and positions in version order
      const stored = await store.getEvents('shared');
      expect(stored.map((e) => e.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(new Set(ids(stored))).toEqual(new Set(ids(events)));
      expect(isStrictlyIncreasing(stored.map((e) => e.position))).toBe(true);
      expect(results.map((r) => r.nextExpectedVersion).sort((a, b) => a - b)).toEqual(stored.map((e) => e.version));
    });

    it('a reader paging while 10 writers append sees every position once, in order', async () => {
      // Given 10 writers that will each append 30 events in small batches to their own stream
      const store = h.store();
      const writers = h.hasPeer ? [store, await h.peer()] : [store];
      let writing = true;
      const writes = (async () => {
        await Promise.all(
          Array.from({ length: 10 }, async (_, w) => {
            const stream = `writer-${w}`;
            let version = 0;
            while (version < 30) {
              const batch = domainEvents(stream, 1 + ((version + w) % 3));
              const n = Math.min(batch.length, 30 - version);
              await writers[w % writers.length]!.saveEvents(stream, batch.slice(0, n), version);
              version += n;
            }
          }),
        );
      })().finally(() => {
        writing = false;
      });

      // When a reader pages through the log (7 at a time) until the writers are done and it has caught up
      const seen: StoredEvent[] = [];
      let from = 0;
      const deadline = Date.now() + 20_000;
      for (;;) {
        // Read the flag before the page: an empty page read after the writers finished is final.
        const writersDone = !writing;
        const page = await store.getAllEvents(from, 7);
        seen.push(...page);
        if (page.length > 0) from = page[page.length - 1]!.position + 1;
        if (page.length === 0 && writersDone) break;
        if (Date.now() > deadline) throw new Error(`reader did not catch up within 20 s (saw ${seen.length} of 300)`);
        if (page.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await writes;

      // Then it saw all 300 events exactly once, in position order, matching the log
      expect(seen).toHaveLength(300);
      expect(isStrictlyIncreasing(seen.map((e) => e.position))).toBe(true);
      expect(ids(seen)).toEqual(ids(await readAll(store)));
    });
  });
}
