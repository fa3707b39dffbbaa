import type { DeadLetterRecord, EventBus } from '@herald/core';
import { expect } from '../assert/expect.js';
import type { CaseRegistry } from './case-registry.js';
import { Inbox, testEvent } from './bus-fixtures.js';
import type { BusSuite } from './bus-suite.js';

const TARGET = 'conformance.malformed.target';

/** A sound event as plain JSON fields, to be broken in one way or another. */
function eventFields(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { timestamp, ...rest } = testEvent(TARGET, { note: 'raw' });
  return { ...rest, timestamp: timestamp.toISOString(), ...extra };
}

const MALFORMED: Array<{ name: string; raw: () => Uint8Array | string }> = [
  { name: 'bad JSON', raw: () => '{"id": "x", "type": ' },
  { name: 'JSON that is not an event', raw: () => JSON.stringify({ hello: 'world' }) },
  { name: 'a JSON array', raw: () => '[1, 2, 3]' },
  { name: 'an event with an invalid timestamp', raw: () => JSON.stringify(eventFields({ timestamp: 'yesterday' })) },
  { name: 'an event without metadata.correlationId', raw: () => JSON.stringify(eventFields({ metadata: { source: 's', environment: 'e' } })) },
  { name: 'an empty message', raw: () => new Uint8Array(0) },
  { name: 'bytes that are not UTF-8 JSON', raw: () => new Uint8Array([0xff, 0xfe, 0x00, 0x7b]) },
  {
    name: 'a message over 1 MiB',
    raw: () => Buffer.from(JSON.stringify(eventFields({ data: { blob: 'x'.repeat(1024 * 1024 + 100) } })), 'utf8'),
  },
  {
    name: 'event fields smuggled through a "__proto__" key',
    raw: () => `{"__proto__": ${JSON.stringify({ ...eventFields(), polluted: 'yes' })}}`,
  },
];

async function undecodable(bus: EventBus): Promise<DeadLetterRecord[]> {
  return (await bus.deadLetters.list()).filter((r) => r.event === undefined);
}

function prototypeUntouched(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted, 'Object.prototype.polluted').toBeUndefined();
  expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
}

/** Undecodable messages put on the wire with `injectRaw`. Capabilities: deadLetters. */
export function registerMalformedCases(s: BusSuite, { describe, it }: CaseRegistry): void {
  const inject = s.injectRaw;
  describe('malformed messages (injectRaw)', () => {
    for (const kind of MALFORMED) {
      it.skipIf(!inject, 'no injectRaw given')(
        `never hands ${kind.name} to a handler and dead-letters it [deadLetters]`,
        async (ctx) => {
          // Given a subscriber of the target type
          const bus = await s.bus();
          s.requires(ctx, bus, 'deadLetters');
          const inbox = new Inbox();
          await bus.subscribe(TARGET, inbox.handle);

          // When the malformed message arrives, followed by a sound sentinel
          await inject!(bus, TARGET, kind.raw());
          const sentinel = await s.sentinel(bus, TARGET, [inbox]);

          // Then the handler saw only the sentinel, and one undecodable dead letter holds the message
          expect(inbox.ids(), 'events handed to the handler').toEqual([sentinel.id]);
          await s.until(async () => (await undecodable(bus)).length > 0, `a dead letter for ${kind.name}`);
          const records = await undecodable(bus);
          expect(records, 'undecodable dead letters').toHaveLength(1);
          expect(records[0]!.error.name).toBe('DecodeError');
          expect(typeof records[0]!.raw).toBe('string');
          expect(records[0]!.failedAt).toBeInstanceOf(Date);
          prototypeUntouched();
        },
        s.caseTimeoutMs,
      );
    }

    it.skipIf(!inject, 'no injectRaw given')(
      'keeps "__proto__" and "constructor" keys inside a sound event inert',
      async () => {
        // Given a subscriber
        const bus = await s.bus();
        const inbox = new Inbox();
        await bus.subscribe(TARGET, inbox.handle);

        // When an event whose data carries "__proto__" and "constructor.prototype" keys arrives
        const fields = eventFields();
        const json = JSON.stringify(fields).replace(
          '"data":{',
          '"data":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},',
        );
        await inject!(bus, TARGET, json);
        await s.sentinel(bus, TARGET, [inbox]);

        // Then no prototype changed, whether the event was delivered or dead-lettered
        prototypeUntouched();
        const delivered = inbox.find(fields.id as string) as { data: Record<string, unknown> } | undefined;
        if (delivered) {
          expect(Object.getPrototypeOf(delivered.data)).toBe(Object.prototype);
          expect(delivered.data.polluted).toBeUndefined();
        }
      },
      s.caseTimeoutMs,
    );

    it.skipIf(!inject, 'no injectRaw given')(
      'leaves an undecodable dead letter in place when replayed [deadLetters]',
      async (ctx) => {
        const bus = await s.bus();
        s.requires(ctx, bus, 'deadLetters');
        const inbox = new Inbox();
        await bus.subscribe(TARGET, inbox.handle);
        await inject!(bus, TARGET, 'not json at all');
        const [record] = await s.until(async () => {
          const list = await undecodable(bus);
          return list.length > 0 ? list : undefined;
        }, 'a dead letter for the undecodable message');

        // When it is replayed, nothing is delivered and the record stays
        expect(await bus.deadLetters.replay(record!.id)).toBe(0);
        await s.sentinel(bus, TARGET, [inbox]);
        expect(inbox.events).toHaveLength(1);
        expect((await undecodable(bus)).map((r) => r.id)).toEqual([record!.id]);
      },
      s.caseTimeoutMs,
    );
  });
}
