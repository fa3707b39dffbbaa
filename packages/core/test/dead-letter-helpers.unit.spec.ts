import { describe, expect, it } from 'vitest';
import { jsonCodec, type DeadLetterRecord, type EventCodec } from '../src/index.js';
import {
  createDeadLetterRecord,
  deserializeDeadLetter,
  replayDeadLetter,
  serializeDeadLetter,
  validateDeadLetterId,
  validateDeadLetterLimit,
} from '../src/transport.js';
import { domainEvent, validationField } from './helpers.js';

const event = domainEvent({ type: 'order.placed' });
const failed = (fields: Partial<Parameters<typeof createDeadLetterRecord>[0]> = {}): DeadLetterRecord =>
  createDeadLetterRecord({ event, error: new Error('boom'), attempts: 3, pattern: 'order.*', group: 'billing', ...fields });

/** The JSON codec under a binary content type: its bytes must travel as base64. */
const binaryCodec: EventCodec = { ...jsonCodec, contentType: 'application/x-test-binary' };

describe('dead-letter argument checks', () => {
  it('limit: absent or an integer ≥ 0', () => {
    expect(() => validateDeadLetterLimit(undefined)).not.toThrow();
    expect(() => validateDeadLetterLimit(0)).not.toThrow();
    for (const bad of [-1, 1.5, Number.NaN, '2']) expect(validationField(() => validateDeadLetterLimit(bad))).toBe('limit');
  });

  it("id: a non-empty string ('all' included)", () => {
    expect(() => validateDeadLetterId('all')).not.toThrow();
    for (const bad of ['', undefined, 7]) expect(validationField(() => validateDeadLetterId(bad))).toBe('id');
  });
});

describe('replayDeadLetter', () => {
  it('redelivers a decodable record and counts it', async () => {
    const seen: string[] = [];
    await expect(replayDeadLetter(failed(), async (r) => void seen.push(r.id))).resolves.toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('keeps an undecodable record without redelivering it', async () => {
    let calls = 0;
    const raw = createDeadLetterRecord({ raw: '{not json', error: new Error('decode'), attempts: 0, pattern: '#' });
    await expect(replayDeadLetter(raw, async () => void calls++)).resolves.toBe(false);
    expect(calls).toBe(0);
  });

  it('keeps a record whose redelivery reached nobody, and passes a failure on', async () => {
    await expect(replayDeadLetter(failed(), async () => false)).resolves.toBe(false);
    await expect(replayDeadLetter(failed(), async () => Promise.reject(new Error('unreachable')))).rejects.toThrow('unreachable');
  });
});

describe('serializeDeadLetter / deserializeDeadLetter', () => {
  it('round-trips every field through JSON, the event as codec text', () => {
    // Given
    const record = failed();
    // When
    const stored = serializeDeadLetter(record, jsonCodec);
    const back = deserializeDeadLetter(JSON.parse(JSON.stringify(stored)), jsonCodec);
    // Then
    expect(typeof stored.event).toBe('string');
    expect(stored.eventBase64).toBeUndefined();
    expect(back).toEqual(record);
  });

  it('carries a binary codec’s bytes as base64', () => {
    const stored = serializeDeadLetter(failed(), binaryCodec);
    expect(stored.event).toBeUndefined();
    expect(deserializeDeadLetter(stored, binaryCodec).event).toEqual(event);
  });

  it('cuts long raw text, saying how long it was', () => {
    const raw = createDeadLetterRecord({ raw: 'x'.repeat(50), error: new Error('decode'), attempts: 0, pattern: '#' });
    expect(serializeDeadLetter(raw, jsonCodec, 10).raw).toBe(`${'x'.repeat(10)}…[truncated: 50 characters in all]`);
  });

  it('an event the codec no longer decodes is listed as raw, and the caller hears why', () => {
    // Given: stored by a bus whose codec wrote text this one rejects
    const stored = { ...serializeDeadLetter(failed(), jsonCodec), event: '{"not":"an event"}' };
    const heard: string[] = [];
    // When
    const back = deserializeDeadLetter(stored, jsonCodec, (error, s) => heard.push(`${s.id}: ${error.name}`));
    // Then
    expect(back.event).toBeUndefined();
    expect(back.raw).toBe('{"not":"an event"}');
    expect(heard).toEqual([`${stored.id}: DecodeError`]);
  });
});
