import { type BaseEvent, idempotent, type InboxStore, InMemoryEventBus } from '@herald/core';
import { expect } from '../assert/expect.js';
import { assertRunner, type ConformanceRunner } from '../runner/conformance-runner.js';
import { CaseRegistry } from './case-registry.js';
import { type CaseSelection, emitSuite } from './emit-suite.js';
import { waitUntil } from '../wait-until.js';
import { testEvent } from './bus-fixtures.js';

export interface InboxConformanceOptions<S extends InboxStore = InboxStore> extends CaseSelection {
  name: string;
  /** A fresh, isolated, empty inbox (e.g. a unique key prefix); called before every case. */
  create: () => S | Promise<S>;
  /** Called after every case (delete keys, close connections). Default: close(). */
  cleanup?: (inbox: S) => void | Promise<void>;
}

/** What every InboxStore promises, and idempotent() on top of it. */
export function describeInboxConformance<S extends InboxStore>(runner: ConformanceRunner, options: InboxConformanceOptions<S>): void {
  assertRunner('describeInboxConformance', runner);
  let inbox: S;
  const cases = new CaseRegistry();
  const { it } = cases;

  it('claim → complete: later claims see done', async () => {
    expect(await inbox.claim('k', 10_000)).toBe('claimed');
    expect(await inbox.claim('k', 10_000)).toBe('busy');
    await inbox.complete('k', 60_000);
    expect(await inbox.claim('k', 10_000)).toBe('done');
  });

  it('release drops a claim but never a done record', async () => {
    expect(await inbox.claim('k', 10_000)).toBe('claimed');
    await inbox.release('k');
    expect(await inbox.claim('k', 10_000)).toBe('claimed');
    await inbox.complete('k', 60_000);
    await inbox.release('k');
    expect(await inbox.claim('k', 10_000)).toBe('done');
  });

  it('of concurrent claims of one key exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => inbox.claim('race', 10_000)));
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r === 'busy')).toHaveLength(19);
  });

  it('a claim whose lease ran out (its process died) can be claimed again', async () => {
    expect(await inbox.claim('k', 30)).toBe('claimed');
    await waitUntil(async () => (await inbox.claim('k', 10_000)) === 'claimed', { message: 'the lease to expire', timeoutMs: 5_000 });
  });

  it('a done record expires after its ttl', async () => {
    await inbox.claim('k', 10_000);
    await inbox.complete('k', 30);
    await waitUntil(async () => (await inbox.claim('k', 10_000)) === 'claimed', { message: 'the record to expire', timeoutMs: 5_000 });
  });

  it('idempotent(): the same event delivered twice is handled once; a failed run is retried', async () => {
    // Given an idempotent handler on a bus, failing on its first call
    const bus = new InMemoryEventBus({ retry: { maxAttempts: 3, backoff: { type: 'fixed', delay: 1 } } });
    const handled: string[] = [];
    let calls = 0;
    try {
      await bus.subscribe(
        'inbox.#',
        idempotent(
          (e: BaseEvent) => {
            calls++;
            if (calls === 1) throw new Error('first attempt fails');
            handled.push(e.id);
          },
          { store: inbox, scope: 'conformance' },
        ),
      );
      // When one event is published twice (a redelivery), and then another
      const event = testEvent('inbox.item.done');
      await bus.publish(event);
      await bus.publish(event);
      const other = testEvent('inbox.item.done');
      await bus.publish(other);
      await waitUntil(() => handled.includes(other.id), { message: 'the second event handled' });
    } finally {
      await bus.close();
    }
    // Then the duplicate ran the handler once (on the retry after the failure), the other once
    expect(handled).toEqual([handled[0], handled[1]]);
    expect(new Set(handled).size).toBe(2);
    expect(calls).toBe(3);
  });

  emitSuite(runner, `${options.name} — inbox conformance`, cases, {
    only: options.only,
    hooks: {
      beforeEach: async () => {
        inbox = await options.create();
      },
      afterEach: async () => {
        if (options.cleanup) await options.cleanup(inbox);
        else await inbox.close?.();
      },
    },
  });
}
