import { createDomainEvent, createJsonCodec, jsonCodec } from '@herald/core';
import { describe, expect, it } from 'vitest';

// The bus publishes core's jsonCodec.encodeText (a string ioredis sends without a copy):
// it must be exactly encode's bytes, with the same size limit.
describe('jsonCodec.encodeText', () => {
  const event = createDomainEvent({
    type: 'codec.text',
    aggregateId: 'a',
    aggregateType: 'A',
    data: { label: 'naïve ✓ 日本語 🚀', at: new Date(Date.UTC(2024, 0, 1)) },
    metadata: { source: 's', environment: 'e' },
  });

  it('is the UTF-8 text of encode, and decodes back to the event (a Date in data as its ISO string)', () => {
    const text = jsonCodec.encodeText!(event);
    expect(Buffer.from(text, 'utf8').equals(jsonCodec.encode(event))).toBe(true);
    expect(jsonCodec.decode(text)).toEqual({ ...event, data: { ...event.data, at: '2024-01-01T00:00:00.000Z' } });
  });

  it('rejects what encode rejects, counting UTF-8 bytes', () => {
    const small = createJsonCodec({ maxBytes: 300 });
    const wide = { ...event, data: { s: '日'.repeat(60) } }; // 60 characters, 180 bytes
    expect(() => small.encode(wide)).toThrow(/bytes, over the 300-byte limit/);
    expect(() => small.encodeText!(wide)).toThrow(/bytes, over the 300-byte limit/);
    const ok = { ...event, data: { s: 'x' } };
    expect(small.encodeText!(ok)).toBe(small.encode(ok).toString('utf8'));
  });
});
