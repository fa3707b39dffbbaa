import { describe, expect, it } from 'vitest';
import { validateEventSize } from '../src/events/validate.js';
import { seededRandom } from '../../../tooling/test-support/random.js';
import { ValidationError } from '../src/index.js';
import { domainEvent } from './helpers.js';

describe('validateEventSize', () => {
  it('is never below the UTF-8 size of JSON.stringify, on 2,000 random events', () => {
    // Given events with random strings (ASCII, control characters, quotes, multi-byte, lone surrogates), numbers, arrays, Dates
    const random = seededRandom(42);
    const chars = ['a', '"', '\\', '\n', '\u0001', 'é', '€', '😀', '\ud800', ' '];
    const text = () => Array.from({ length: Math.floor(random() * 20) }, () => chars[Math.floor(random() * chars.length)]).join('');
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.3) return text();
      if (r < 0.45) return (random() - 0.5) * 10 ** Math.floor(random() * 40);
      if (r < 0.5) return random() < 0.5 ? null : new Date(Math.floor(random() * 1e13));
      if (r < 0.55) return undefined;
      if (r < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [text(), value(depth + 1)]));
    };

    // When each is bounded and measured
    const under: string[] = [];
    for (let i = 0; i < 2_000; i++) {
      const event = domainEvent({ data: { v: value(0) } as Record<string, unknown> });
      const exact = Buffer.byteLength(JSON.stringify(event), 'utf8');
      if (validateEventSize(event) < exact) under.push(JSON.stringify(event));
    }

    // Then the bound always covers the exact size
    expect(under).toEqual([]);
  });

  it('answers Infinity for an event only the naming pass accepts (a class instance in data), and validates like validateEvent', () => {
    // Given
    class Money {
      constructor(readonly amount: number) {}
    }
    // When / Then
    expect(validateEventSize(domainEvent({ data: { price: new Money(5) } as unknown as Record<string, unknown> }))).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(() => validateEventSize(domainEvent({ data: { n: 1n } as unknown as Record<string, unknown> }))).toThrow(ValidationError);
  });
});
