import { afterEach, describe, expect, it } from 'vitest';
import { dropProtoKeys, isoDate, reviveParsed } from '../src/codec/revive.js';
import { DecodeError, jsonCodec, type DomainEvent } from '../src/index.js';
import { domainEvent } from './helpers.js';

// What the codec has always meant by "a date": the exact toISOString() shape, then the engine's parser.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
function reference(s: string): Date | undefined {
  if (!ISO_DATE.test(s)) return undefined;
  const date = new Date(s);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function expectSameDate(s: string): void {
  const expected = reference(s);
  const actual = isoDate(s);
  if (expected === undefined) expect(actual, s).toBeUndefined();
  else expect(actual?.getTime(), s).toBe(expected.getTime());
}

/** A small deterministic generator, so a failure names a reproducible input. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('isoDate', () => {
  it("gives the engine's own Date for every toISOString() of years 0000–9999", () => {
    // Given dates spread over the whole four-digit range, and every day of two years (one leap)
    const random = lcg(42);
    const min = Date.parse('0000-01-01T00:00:00.000Z');
    const max = Date.parse('9999-12-31T23:59:59.999Z');
    const samples: string[] = [];
    for (let i = 0; i < 20_000; i++) samples.push(new Date(Math.floor(min + random() * (max - min))).toISOString());
    for (const year of [2023, 2024]) {
      for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
        samples.push(new Date(t + 45_296_789).toISOString());
      }
    }
    // When / Then
    for (const s of samples.filter((x) => x.length === 24)) {
      expect(isoDate(s)?.toISOString(), s).toBe(s);
    }
  });

  it('answers exactly like the date parser on edge and malformed strings', () => {
    // Given
    const strings = [
      '2023-02-29T00:00:00.000Z', // not a leap year: V8 rolls it over
      '2024-02-29T12:00:00.000Z',
      '2024-02-30T12:00:00.000Z',
      '2023-04-31T00:00:00.000Z',
      '2023-01-31T23:59:59.999Z',
      '2023-01-32T00:00:00.000Z',
      '2023-00-10T00:00:00.000Z',
      '2023-13-10T00:00:00.000Z',
      '2023-01-00T00:00:00.000Z',
      '2023-01-01T24:00:00.000Z',
      '2023-01-01T24:00:00.001Z',
      '2023-01-01T23:60:00.000Z',
      '2023-01-01T23:59:60.000Z',
      '0000-01-01T00:00:00.000Z',
      '0099-12-31T23:59:59.999Z',
      '0100-03-01T00:00:00.000Z',
      '1900-02-28T00:00:00.000Z',
      '2000-02-28T00:00:00.000Z',
      '9999-12-28T23:59:59.999Z',
      '2023-01-01T00:00:00.000z',
      '2023-01-01 00:00:00.000Z',
      '2023/01/01T00:00:00.000Z',
      '2023-01-01T00:00:00,000Z',
      '2023-01-01T00-00:00.000Z',
      '+02023-01-01T00:00:00.00',
      '2023-0a-01T00:00:00.000Z',
      '２023-01-01T00:00:00.000Z',
      'x'.repeat(24),
      '2023-01-01T00:00:00.000',
      '2023-01-01T00:00:00.000ZZ',
    ];
    // When / Then
    for (const s of strings) expectSameDate(s);
  });

  it('agrees with the date parser on random digit strings of the right shape', () => {
    // Given every field drawn from 00–99 (and the year from 0000–9999)
    const random = lcg(7);
    const two = () => String(Math.floor(random() * 100)).padStart(2, '0');
    for (let i = 0; i < 20_000; i++) {
      const s = `${String(Math.floor(random() * 10_000)).padStart(4, '0')}-${two()}-${two()}T${two()}:${two()}:${two()}.${String(Math.floor(random() * 1000)).padStart(3, '0')}Z`;
      // When / Then
      expectSameDate(s);
    }
  });
});

describe('reviveParsed', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).timestamp;
  });

  // Each text is parsed twice: once for the full walk (the reference), once for the shortcut.
  const cases: Record<string, string> = {
    'a sound event': JSON.stringify(domainEvent()),
    'nested dates': JSON.stringify(domainEvent({ data: { at: new Date(0), list: [new Date(1), 'x'] } })),
    'a date elsewhere, none in timestamp': '{"timestamp":"yesterday","data":{"at":"2024-01-01T00:00:00.000Z"}}',
    'a date elsewhere, timestamp not a valid date': '{"timestamp":"2024-01-32T00:00:00.000Z","data":{"at":"2024-01-01T00:00:00.000Z"}}',
    'one date, not in timestamp': '{"data":{"at":"2024-01-01T00:00:00.000Z"}}',
    'no timestamp at all': '{"id":"e"}',
    'an escaped date': '{"timestamp":"2024-01-01T00:00:00.000Z","data":{"at":"2024-01-01T00:00:00.000\\u005a"}}',
    'an escaped timestamp': '{"timestamp":"\\u0032024-01-01T00:00:00.000Z"}',
    'a date as a key': '{"timestamp":"2024-01-01T00:00:00.000Z","data":{"2024-01-01T00:00:00.000Z":"2024-01-01T00:00:00.000Z"}}',
    'a duplicate timestamp key': '{"timestamp":"2024-01-01T00:00:00.000Z","timestamp":"2025-01-01T00:00:00.000Z"}',
    'a duplicate timestamp key, last not a date': '{"data":{"at":"2024-01-01T00:00:00.000Z"},"timestamp":"2024-01-01T00:00:00.000Z","timestamp":"x"}',
    '"__proto__" keys': '{"timestamp":"2024-01-01T00:00:00.000Z","__proto__":{"x":1},"data":{"__proto__":{"y":2},"n":{"__proto__":3}}}',
    'an escaped "__proto__" key': '{"timestamp":"2024-01-01T00:00:00.000Z","\\u005f_proto__":{"x":1}}',
    'strings ending in Z': '{"timestamp":"2024-01-01T00:00:00.000Z","data":{"a":"XYZ","b":"2024-01-01T00:00:00.000Z"}}',
    'an array': '["2024-01-01T00:00:00.000Z",{"at":"2024-01-01T00:00:00.000Z"}]',
    'a string': '"2024-01-01T00:00:00.000Z"',
    'a number': '42',
    null: 'null',
  };

  /** The plain reading of the rule: drop every `__proto__` key, revive the envelope's own timestamp, nothing else. */
  function fullWalk(parsed: unknown): unknown {
    dropProtoKeys(parsed);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const obj = parsed as Record<string, unknown>;
      if (typeof obj.timestamp === 'string') obj.timestamp = isoDate(obj.timestamp) ?? obj.timestamp;
    }
    return parsed;
  }

  it.each(Object.entries(cases))('gives the same result as the full walk: %s', (_name, text) => {
    // Given
    const expected = fullWalk(JSON.parse(text));
    // When
    const actual = reviveParsed(JSON.parse(text), text);
    // Then
    expect(actual).toEqual(expected);
    if (actual !== null && typeof actual === 'object' && !(actual instanceof Date)) {
      expect(Object.hasOwn(actual, '__proto__')).toBe(false);
      expect(Object.getPrototypeOf(actual)).toBe(Array.isArray(actual) ? Array.prototype : Object.prototype);
    }
  });

  it('never revives an inherited timestamp (a polluted prototype)', () => {
    // Given
    (Object.prototype as Record<string, unknown>).timestamp = '2024-01-01T00:00:00.000Z';
    const text = '{"data":{"at":"2024-01-01T00:00:00.000Z"}}';
    // When
    const actual = reviveParsed(JSON.parse(text), text) as Record<string, any>;
    // Then
    expect(Object.hasOwn(actual, 'timestamp')).toBe(false);
    expect(actual.data.at).toBe('2024-01-01T00:00:00.000Z');
  });

  it('revives only the envelope timestamp: ISO-looking strings in data and metadata stay strings', () => {
    // Given a message whose data and metadata hold strings in exactly toISOString() form
    const text =
      '{"timestamp":"2024-01-01T00:00:00.000Z","metadata":{"at":"2024-01-02T00:00:00.000Z"},' +
      '"data":{"due":"2024-01-03T00:00:00.000Z","list":["2024-01-04T00:00:00.000Z"],"timestamp":"2024-01-05T00:00:00.000Z"}}';
    // When
    const actual = reviveParsed(JSON.parse(text), text) as Record<string, any>;
    // Then
    expect(actual.timestamp).toEqual(new Date('2024-01-01T00:00:00.000Z'));
    expect(actual.metadata.at).toBe('2024-01-02T00:00:00.000Z');
    expect(actual.data).toEqual({
      due: '2024-01-03T00:00:00.000Z',
      list: ['2024-01-04T00:00:00.000Z'],
      timestamp: '2024-01-05T00:00:00.000Z',
    });
  });
});

describe('jsonCodec.decode after the shortcut', () => {
  it('round-trips events; a Date in data arrives as its ISO string', () => {
    // Given
    const plain = domainEvent();
    const dated = domainEvent({ data: { at: new Date('2024-02-29T23:59:59.999Z'), note: 'ends in Z' } });
    // When / Then
    expect(jsonCodec.decode(jsonCodec.encode(plain))).toEqual(plain);
    expect(jsonCodec.decode(jsonCodec.encode(dated))).toEqual({ ...dated, data: { at: '2024-02-29T23:59:59.999Z', note: 'ends in Z' } });
  });

  it('rejects a number JSON cannot carry back (1e400) as not a valid event', () => {
    // Given
    const text = JSON.stringify(domainEvent()).replace(/}$/, ',"big":1e400}');
    // When / Then
    expect(() => jsonCodec.decode(text)).toThrow(DecodeError);
    expect(() => jsonCodec.decode(text)).toThrow(/not a valid event: big/);
  });

  it('reads an escaped timestamp as the date it spells', () => {
    // Given
    const event = domainEvent();
    const text = JSON.stringify(event).replace(/"timestamp":"2/, '"timestamp":"\\u0032');
    // When
    const back = jsonCodec.decode(text) as DomainEvent;
    // Then
    expect(back.timestamp).toBeInstanceOf(Date);
    expect(back.timestamp.getTime()).toBe(event.timestamp.getTime());
  });
});
