import { afterEach, describe, expect, it } from 'vitest';
import {
  type BaseEvent,
  createUpcasters,
  type DomainEvent,
  InMemoryEventBus,
  jsonCodec,
  schemaVersionOf,
  UpcastError,
} from '../src/index.js';
import { DispatchPipeline } from '../src/transport.js';
import { domainEvent, eventually } from './helpers.js';

/** gamifier.points.awarded v1 { points } → v2 { amount }. */
function pointsV2() {
  return createUpcasters().register('gamifier.points.awarded', 1, (e) => ({ ...e, data: { amount: e.data?.points } }));
}

function v1Event(): DomainEvent {
  const event = domainEvent({ data: { points: 10 } });
  return { ...event, metadata: { ...event.metadata, schemaVersion: 1 } };
}

const buses: InMemoryEventBus[] = [];
afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});

describe('DispatchPipeline upcasting (the decode step every transport shares)', () => {
  it('decodes an old event into its current shape', () => {
    // Given a pipeline with upcasters and a v1 event on the wire
    const pipeline = new DispatchPipeline({ upcasters: pointsV2() });
    // When it is decoded
    const decoded = pipeline.decode(jsonCodec.encode(v1Event()), { pattern: '#' });
    // Then the handler would get v2
    expect((decoded.event as DomainEvent).data).toEqual({ amount: 10 });
    expect(schemaVersionOf(decoded.event!)).toBe(2);
  });

  it('dead-letters an event whose chain fails, in its stored shape, with the UpcastError', () => {
    // Given an upcaster that throws
    const upcasters = createUpcasters().register('gamifier.points.awarded', 1, () => {
      throw new Error('cannot read points');
    });
    const pipeline = new DispatchPipeline({ upcasters });
    const event = v1Event();
    // When it is decoded
    const decoded = pipeline.decode(jsonCodec.encode(event), { pattern: 'gamifier.#', group: 'g' });
    // Then nothing reaches a handler; the record keeps the v1 event for a replay after a fix
    expect(decoded.event).toBeUndefined();
    expect(decoded.deadLetter?.error).toMatchObject({ name: 'UpcastError' });
    expect(decoded.deadLetter?.error.message).toMatch(/gamifier\.points\.awarded.*1 to 2/);
    expect((decoded.deadLetter?.event as DomainEvent).data).toEqual({ points: 10 });
    expect(decoded.deadLetter).toMatchObject({ pattern: 'gamifier.#', group: 'g', attempts: 0 });
  });

  it('stamps the current schema version on published events that declare none', async () => {
    // Given a pipeline with upcasters
    const pipeline = new DispatchPipeline({ upcasters: pointsV2() });
    const sent: BaseEvent[] = [];
    const publish = pipeline.composePublish(async (e) => void sent.push(e));
    // When a current-shape event without schemaVersion is published
    await publish(domainEvent({ data: { amount: 3 } }));
    // Then it travels as v2 and is never upcast again
    expect(schemaVersionOf(sent[0]!)).toBe(2);
    expect(pipeline.upcast(sent[0]!)).toBe(sent[0]);
  });
});

describe('InMemoryEventBus upcasters option', () => {
  it('hands handlers the current shape of an old event', async () => {
    // Given a bus with upcasters
    const bus = new InMemoryEventBus({ upcasters: pointsV2() });
    buses.push(bus);
    const seen: DomainEvent[] = [];
    await bus.subscribe('gamifier.#', (e) => void seen.push(e as DomainEvent));
    // When a v1 event is published (e.g. replayed from an old store)
    await bus.publish(v1Event());
    // Then the handler sees v2
    await eventually(() => seen.length === 1, 'the upcast event');
    expect(seen[0]!.data).toEqual({ amount: 10 });
  });

  it('rejects the publish of an event that cannot be upcast; no handler sees it', async () => {
    // Given a chain with a gap (only 2→3)
    const upcasters = createUpcasters().register('gamifier.points.awarded', 2, (e) => e);
    const bus = new InMemoryEventBus({ upcasters });
    buses.push(bus);
    const seen: BaseEvent[] = [];
    await bus.subscribe('gamifier.#', (e) => void seen.push(e));
    // When / Then
    await expect(bus.publish(v1Event())).rejects.toBeInstanceOf(UpcastError);
    await bus.close();
    expect(seen).toEqual([]);
  });
});
