import type { EventBus } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { Inbox, testEvent } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

interface PatternRow {
  pattern: string;
  matches: string[];
  rejects: string[];
}

/**
 * Subscribes `row.pattern`, publishes every listed type once and a sentinel
 * of the first matching type, then expects exactly the matching types.
 */
async function expectPattern(s: BusSuite, bus: EventBus, row: PatternRow): Promise<void> {
  const inbox = new Inbox();
  const subscription = await bus.subscribe(row.pattern, inbox.handle);
  const types = interleave(row.rejects, row.matches);
  for (const type of types) await bus.publish(testEvent(type));
  await s.until(() => row.matches.every((t) => inbox.types().includes(t)), `every type matching "${row.pattern}" to arrive`);
  await s.sentinel(bus, row.matches[0]!, [inbox]);
  const received = inbox.types().sort();
  const expected = [...row.matches, row.matches[0]!].sort();
  expect(received, `types received by "${row.pattern}"`).toEqual(expected);
  await bus.unsubscribe(subscription);
}

function interleave(a: string[], b: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i]!);
    if (i < b.length) out.push(b[i]!);
  }
  return out;
}

/** Pattern semantics every transport shares (`*` one word, `#` zero or more). Capabilities: none. */
export function registerPatternCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  describe('patterns', () => {
    it(
      '"*" matches exactly one word',
      async () => {
        const bus = await s.bus();
        await expectPattern(s, bus, {
          pattern: 'conformance.star.*',
          matches: ['conformance.star.a', 'conformance.star.b-2'],
          rejects: ['conformance.star', 'conformance.star.a.b', 'conformance.other.a', 'conformance.starx.a'],
        });
        await expectPattern(s, bus, {
          pattern: '*.star-mid.end',
          matches: ['a.star-mid.end', 'b.star-mid.end'],
          rejects: ['star-mid.end', 'a.b.star-mid.end', 'a.star-mid.end.x', 'a.star-mid.endx'],
        });
      },
      s.caseTimeoutMs,
    );

    it(
      '"#" matches zero or more words, at the end, in the middle and at the start',
      async () => {
        const bus = await s.bus();
        await expectPattern(s, bus, {
          pattern: 'conformance.hash.#',
          matches: ['conformance.hash', 'conformance.hash.a', 'conformance.hash.a.b.c'],
          rejects: ['conformance', 'conformance.hashx', 'conformance.other.hash', 'other.conformance.hash'],
        });
        await expectPattern(s, bus, {
          pattern: 'conformance.#.end',
          matches: ['conformance.end', 'conformance.a.end', 'conformance.a.b.end'],
          rejects: ['conformance.end.a', 'conformance.a.endx', 'x.conformance.end'],
        });
        await expectPattern(s, bus, {
          pattern: '#.tail',
          matches: ['tail', 'a.tail', 'a.b.tail'],
          rejects: ['tail.a', 'atail', 'a.tailx'],
        });
      },
      s.caseTimeoutMs,
    );

    it(
      '"#" alone matches every type',
      async () => {
        const bus = await s.bus();
        await expectPattern(s, bus, {
          pattern: '#',
          matches: ['solo', 'conformance.any', 'conformance.any.depth.of.words.at.all'],
          rejects: [],
        });
      },
      s.caseTimeoutMs,
    );

    it(
      'overlapping subscriptions each see a matching event exactly once',
      async () => {
        // Given subscriptions whose patterns all match one type, some in several ways, two identical
        const bus = await s.bus();
        const type = 'conformance.overlap.hit';
        const patterns = [
          type,
          type,
          'conformance.overlap.*',
          'conformance.#',
          'conformance.#.hit',
          '#.overlap.#',
          'conformance.*.#',
          '#.#',
          '#',
        ];
        const inboxes = patterns.map(() => new Inbox());
        for (let i = 0; i < patterns.length; i++) await bus.subscribe(patterns[i]!, inboxes[i]!.handle);

        // When one event is published, then a sentinel
        const event = testEvent(type);
        await bus.publish(event);
        const sentinel = await s.sentinel(bus, type, inboxes);

        // Then every subscription saw each exactly once
        patterns.forEach((pattern, i) => {
          expect(inboxes[i]!.ids().sort(), `subscription "${pattern}" (#${i})`).toEqual([event.id, sentinel.id].sort());
        });
      },
      s.caseTimeoutMs,
    );
  });
}
