import { describe, expect, it } from 'vitest';
import {
  type BaseEvent,
  createJsonCodec,
  DEFAULT_MAX_EVENT_BYTES,
  type DomainEvent,
  InMemoryEventBus,
  ValidationError,
} from '../src/index.js';
import { domainEvent, eventually } from './helpers.js';

describe('InMemoryEventBus wireFormat', () => {
  it('delivers what the wire would: Dates in data as ISO strings, ISO-looking strings as strings, a copy per subscription', async () => {
    // Given a wire-format bus with two subscribers and an event with a Date, an ISO-looking string, a nested object and a number
    const bus = new InMemoryEventBus({ wireFormat: true });
    const received: Array<DomainEvent<any>> = [];
    await bus.subscribe<DomainEvent>('shape.checked', async (event) => void received.push(event));
    await bus.subscribe<DomainEvent>('shape.checked', async (event) => void received.push(event));
    const at = new Date('2024-05-06T07:08:09.010Z');
    const event = domainEvent({
      type: 'shape.checked',
      data: { at, code: '2024-05-06T07:08:09.010Z', nested: { n: 3, list: [1, { deep: true }] }, count: 42 },
    });

    // When it is published
    await bus.publish(event);
    await eventually(() => received.length === 2, 'both subscribers handled the event');
    await bus.close();

    // Then each handler sees JSON's shape (the timestamp revived), not the publisher's object, and not each other's
    for (const got of received) {
      expect(got).not.toBe(event);
      expect(got.timestamp).toEqual(event.timestamp);
      expect(got.data).toEqual({ at: at.toISOString(), code: '2024-05-06T07:08:09.010Z', nested: { n: 3, list: [1, { deep: true }] }, count: 42 });
    }
    expect(received[0]).not.toBe(received[1]);
  });

  it('is off by default: handlers get the published object', async () => {
    // Given a default bus
    const bus = new InMemoryEventBus();
    let got: BaseEvent | undefined;
    await bus.subscribe('same.object', async (e) => {
      got = e;
    });
    const event = domainEvent({ type: 'same.object' });

    // When / Then
    await bus.publish(event);
    await eventually(() => got !== undefined, 'handled');
    await bus.close();
    expect(got).toBe(event);
  });
});

describe('InMemoryEventBus size limit: the codec limit, as on the wire', () => {
  it.each([false, true])('rejects an event over 1 MiB with a ValidationError and delivers nothing (wireFormat %s)', async (wireFormat) => {
    // Given a bus with a subscriber
    const bus = new InMemoryEventBus({ wireFormat });
    let handled = 0;
    await bus.subscribe('big.blob', async () => {
      handled++;
    });
    const big = domainEvent({ type: 'big.blob', data: { blob: 'x'.repeat(DEFAULT_MAX_EVENT_BYTES) } });

    // When it is published, alone and in a batch after a sound event
    const alone = bus.publish(big);
    const batch = bus.publishAll([domainEvent({ type: 'big.blob' }), big]);

    // Then both reject as they would on Redis or RabbitMQ, naming the element, and nothing was delivered
    await expect(alone).rejects.toThrow(ValidationError);
    await expect(alone).rejects.toThrow(`over the ${DEFAULT_MAX_EVENT_BYTES}-byte limit`);
    await expect(batch).rejects.toMatchObject({ field: 'events[1]' });
    await bus.close();
    expect(handled).toBe(0);
  });

  it("uses the bus codec's own limit, counting bytes, and accepts an event just under it", async () => {
    // Given a codec limited to 2,000 bytes
    const codec = createJsonCodec({ maxBytes: 2_000 });
    const bus = new InMemoryEventBus({ codec });
    const small = domainEvent({ data: { s: '' } });
    const overhead = Buffer.byteLength(JSON.stringify(small));
    // 3-byte characters: few characters, many bytes
    const fits = domainEvent({ data: { s: '€'.repeat(Math.floor((2_000 - overhead) / 3)) } });
    const over = domainEvent({ data: { s: '€'.repeat(Math.floor((2_000 - overhead) / 3) + 1) } });

    // When / Then
    await expect(bus.publish(fits)).resolves.toBeUndefined();
    await expect(bus.publish(over)).rejects.toThrow('over the 2000-byte limit');
    await bus.close();
  });
});
