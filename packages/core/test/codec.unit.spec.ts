import { afterEach, describe, expect, it } from 'vitest';
import {
  createJsonCodec,
  DecodeError,
  DEFAULT_MAX_EVENT_BYTES,
  type DomainEvent,
  jsonCodec,
  ValidationError,
} from '../src/index.js';
import { domainEvent } from './helpers.js';

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return error as DecodeError;
  }
  throw new Error('expected a DecodeError, nothing was thrown');
}

const wire = (event: Record<string, unknown>) => JSON.stringify(event);
const sound = () => JSON.parse(JSON.stringify(domainEvent())) as Record<string, any>;

describe('jsonCodec', () => {
  afterEach(() => {
    // Make sure no test leaves a polluted prototype behind for the next one.
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('is JSON', () => {
    expect(jsonCodec.contentType).toBe('application/json');
    expect(DEFAULT_MAX_EVENT_BYTES).toBe(1024 * 1024);
  });

  it('round-trips an event exactly, reviving the timestamp as a Date', () => {
    // Given
    const event = domainEvent({ data: { points: 10, list: [1, 'two', null, { ok: true }] } });
    // When
    const bytes = jsonCodec.encode(event);
    const back = jsonCodec.decode(bytes) as DomainEvent;
    // Then
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(back.timestamp).toBeInstanceOf(Date);
    expect(back.timestamp.getTime()).toBe(event.timestamp.getTime());
    expect(back).toEqual(event);
    expect(JSON.parse(bytes.toString('utf8')).timestamp).toBe(event.timestamp.toISOString());
  });

  it('revives only the timestamp: Dates in data arrive as ISO strings, ISO-looking strings stay strings', () => {
    // Given data with Dates and a string that happens to be in toISOString() form
    const when = new Date('2024-02-29T23:59:59.999Z');
    const event = domainEvent({ data: { dueAt: when, history: [{ at: when }], code: '2024-02-29T23:59:59.999Z' } });
    // When
    const back = jsonCodec.decode(jsonCodec.encode(event)) as DomainEvent<any>;
    // Then the envelope's timestamp is a Date and everything in data is exactly what JSON carries
    expect(back.timestamp).toBeInstanceOf(Date);
    expect(back.data).toEqual({
      dueAt: '2024-02-29T23:59:59.999Z',
      history: [{ at: '2024-02-29T23:59:59.999Z' }],
      code: '2024-02-29T23:59:59.999Z',
    });
  });

  it('decodes a string as well as bytes, and a Uint8Array view into a larger buffer', () => {
    // Given
    const event = domainEvent();
    const text = wire(event as unknown as Record<string, unknown>);
    const padded = Buffer.from(`xxxx${text}yyyy`);
    const view = new Uint8Array(padded.buffer, padded.byteOffset + 4, Buffer.byteLength(text));
    // When / Then
    expect(jsonCodec.decode(text)).toEqual(event);
    expect(jsonCodec.decode(view)).toEqual(event);
  });

  it('rejects an event over maxBytes on encode with a ValidationError', () => {
    // Given
    const codec = createJsonCodec({ maxBytes: 512 });
    const event = domainEvent({ data: { blob: 'x'.repeat(600) } });
    // When / Then
    expect(() => codec.encode(event)).toThrow(ValidationError);
    expect(() => codec.encode(event)).toThrow(/over the 512-byte limit/);
    expect(() => codec.encode(domainEvent())).not.toThrow();
  });

  it('turns what JSON.stringify throws into a ValidationError, not a TypeError or RangeError', () => {
    // Given objects no validation has seen: a cycle, a bigint, nesting deep enough to overflow the stack
    const cyclic: Record<string, unknown> = { ...domainEvent() };
    cyclic.self = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const cases = [cyclic, { ...domainEvent(), data: { n: 1n } }, { ...domainEvent(), data: { deep } }];

    // When / Then each is Herald's ValidationError, from both encoders
    for (const event of cases) {
      expect(() => jsonCodec.encode(event as unknown as DomainEvent)).toThrow(ValidationError);
      expect(() => jsonCodec.encodeText!(event as unknown as DomainEvent)).toThrow(ValidationError);
    }
  });

  it('enforces the 1 MiB default on encode', () => {
    // Given
    const event = domainEvent({ data: { blob: 'x'.repeat(DEFAULT_MAX_EVENT_BYTES) } });
    // When / Then
    expect(() => jsonCodec.encode(event)).toThrow(ValidationError);
  });

  it('rejects a message over maxBytes on decode with a DecodeError carrying the raw bytes', () => {
    // Given
    const codec = createJsonCodec({ maxBytes: 512 });
    const raw = Buffer.from(wire({ ...sound(), data: { blob: 'x'.repeat(600) } }));
    // When
    const error = decodeError(() => codec.decode(raw));
    // Then
    expect(error.raw).toBe(raw);
    expect(error.message).toMatch(/over the 512-byte limit/);
  });

  it('counts bytes, not characters, against maxBytes', () => {
    // Given 200 three-byte characters: 200 chars, 600 bytes
    const codec = createJsonCodec({ maxBytes: 512 });
    const text = wire({ ...sound(), data: { s: '€'.repeat(200) } });
    // When / Then
    expect(text.length).toBeLessThan(512);
    expect(decodeError(() => codec.decode(text)).raw.byteLength).toBe(Buffer.byteLength(text));
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects maxBytes %s', (maxBytes) => {
    expect(() => createJsonCodec({ maxBytes })).toThrow(ValidationError);
  });

  it('rejects empty input', () => {
    // Given / When / Then
    expect(decodeError(() => jsonCodec.decode(Buffer.alloc(0))).message).toMatch(/empty/);
    expect(decodeError(() => jsonCodec.decode('')).raw.byteLength).toBe(0);
  });

  it('rejects bad JSON with the raw bytes and the parser error as cause', () => {
    // Given
    const raw = Buffer.from('{"id": "x", ');
    // When
    const error = decodeError(() => jsonCodec.decode(raw));
    // Then
    expect(error.raw).toBe(raw);
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects JSON of the wrong shape, naming the bad field', () => {
    // Given / When
    const noId = decodeError(() => jsonCodec.decode(wire({ ...sound(), id: undefined })));
    const badTime = decodeError(() => jsonCodec.decode(wire({ ...sound(), timestamp: 'yesterday' })));
    // Then
    expect(noId.message).toMatch(/not a valid event: id/);
    expect(noId.cause).toBeInstanceOf(ValidationError);
    expect(badTime.message).toMatch(/timestamp/);
    for (const text of ['null', '[]', '42', '"event"', '{}']) {
      expect(() => jsonCodec.decode(text)).toThrow(DecodeError);
    }
  });

  describe('prototype safety', () => {
    const hostile = (key: string, payload: string) =>
      `{"id":"e-1","type":"a.b","timestamp":"2024-01-01T00:00:00.000Z","version":1,` +
      `"metadata":{"correlationId":"c","source":"s","environment":"e",${key}:${payload}},` +
      `"data":{"points":1,${key}:${payload},"nested":{${key}:${payload}}},` +
      `${key}:${payload}}`;

    it('drops "__proto__" keys everywhere: nothing is polluted after decode, assign or spread', () => {
      // Given
      const text = hostile('"__proto__"', '{"polluted":"yes"}');
      // When
      const event = jsonCodec.decode(text) as DomainEvent<any>;
      const assigned = Object.assign({}, event, event.data, event.metadata, event.data.nested);
      const spread = { ...event, ...event.data, ...event.metadata };
      // Then
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(event.data)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(event.data.nested)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(event.metadata)).toBe(Object.prototype);
      expect(Object.hasOwn(event, '__proto__')).toBe(false);
      expect(Object.hasOwn(event.data, '__proto__')).toBe(false);
      expect(Object.getPrototypeOf(assigned)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(spread)).toBe(Object.prototype);
      expect((assigned as Record<string, unknown>).polluted).toBeUndefined();
      expect((spread as Record<string, unknown>).polluted).toBeUndefined();
      expect(event.data.points).toBe(1);
    });

    it('keeps "constructor" keys as inert data: no prototype or constructor is touched', () => {
      // Given
      const text = hostile('"constructor"', '{"prototype":{"polluted":"yes"}}');
      // When
      const event = jsonCodec.decode(text) as DomainEvent<any>;
      const assigned = Object.assign({}, event.data);
      const spread = { ...event.data };
      // Then
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(event.data)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(assigned)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(spread)).toBe(Object.prototype);
      expect(event.data.constructor).toEqual({ prototype: { polluted: 'yes' } });
      expect(Object.prototype.constructor).toBe(Object);
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
