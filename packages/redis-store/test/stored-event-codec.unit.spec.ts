import { createDomainEvent, DecodeError, ValidationError, type DomainEvent } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { decodeStoredEvent, encodeEventBody } from '../src/stored-event-codec.js';

function event(data: Record<string, unknown>): DomainEvent {
  return createDomainEvent({
    type: 'codec.tested',
    aggregateId: 'c-1',
    aggregateType: 'Codec',
    data,
    version: 9,
    metadata: { source: 'unit', environment: 'test' },
  });
}

/** What the append script stores: the version and position it assigns, then the client's body. */
function roundTrip(e: DomainEvent, version = 3, position = 42) {
  return decodeStoredEvent(`${version}|${position}|${encodeEventBody(e)}`);
}

describe('stored event codec', () => {
  it('round-trips Dates anywhere as Dates and ISO-looking strings as strings', () => {
    // Given an event with Dates in nested data and a string that looks like a date
    const original = event({
      at: new Date('2020-01-01T00:00:00.001Z'),
      list: [new Date(0), { deep: new Date(-1) }],
      lookalike: '2020-01-01T00:00:00.001Z',
    });

    // When it is encoded and decoded
    const decoded = roundTrip(original);

    // Then everything is equal, with the store's version and position
    expect(decoded).toStrictEqual({ ...original, version: 3, position: 42 });
    expect(typeof decoded.data.lookalike).toBe('string');
  });

  it('keeps strings that start with the tag character exactly', () => {
    // Given strings that look like the codec's own tags
    const original = event({ a: '\u0000d123', b: '\u0000', c: '\u0000\u0000x', d: 'x\u0000d1' });

    // When round-tripped
    // Then they come back unchanged
    expect(roundTrip(original).data).toStrictEqual(original.data);
  });

  it('never sees an invalid Date: core rejects it before anything is stored', () => {
    // Given a Date that JSON would turn into null
    // When an event is made with it
    // Then core's validation names the field (the store keeps Dates, so this is the one rule for every transport and store)
    expect(() => event({ broken: new Date(Number.NaN) })).toThrow(ValidationError);
    expect(() => event({ broken: new Date(Number.NaN) })).toThrow(/data\.broken: is an invalid Date/);
  });

  it('takes version and position from the header, not from the event', () => {
    // Given an event claiming version 9, stored as version 3
    // When decoded
    // Then the header's version wins and the JSON carries no version or timestamp of its own
    expect(roundTrip(event({})).version).toBe(3);
    expect(encodeEventBody(event({}))).not.toMatch(/"version"|"timestamp"/);
  });

  it('drops "__proto__" keys instead of letting them reach a prototype', () => {
    // Given a stored record whose JSON has a __proto__ key
    const body = encodeEventBody(event({})).replace('"data":{}', '"data":{"__proto__":{"polluted":true},"ok":1}');

    // When decoded
    const decoded = decodeStoredEvent(`1|1|${body}`);

    // Then the key is gone and no prototype changed
    expect(decoded.data).toStrictEqual({ ok: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports a corrupt record as a DecodeError', () => {
    // Given records without a header, with a broken header or with broken JSON
    // When decoded
    // Then each is a DecodeError (naming the position when the header has one)
    expect(() => decodeStoredEvent('garbage')).toThrow(DecodeError);
    expect(() => decodeStoredEvent('x|7|0|{}')).toThrow(DecodeError);
    expect(() => decodeStoredEvent('1|7|0|{not json')).toThrow(/position 7/);
  });
});
