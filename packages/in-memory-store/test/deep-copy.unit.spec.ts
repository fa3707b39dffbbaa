import { describe, expect, it } from 'vitest';
import { deepCopy } from '../src/deep-copy.js';

describe('deepCopy', () => {
  it('copies nested objects, arrays and Dates without sharing any of them', () => {
    // Given a nested value with a Date
    const original = { a: [1, { b: new Date(5) }], c: { d: null, e: 'x' } };

    // When it is copied
    const copy = deepCopy(original);

    // Then it is equal but shares no object
    expect(copy).toStrictEqual(original);
    expect(copy.a).not.toBe(original.a);
    expect(copy.a[1]).not.toBe(original.a[1]);
    expect((copy.a[1] as { b: Date }).b).not.toBe((original.a[1] as { b: Date }).b);
    expect((copy.a[1] as { b: Date }).b).toBeInstanceOf(Date);
  });

  it('keeps an own "__proto__" key as data instead of setting a prototype', () => {
    // Given an object parsed from JSON with a "__proto__" key
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;

    // When it is copied
    const copy = deepCopy(parsed);

    // Then the key is an own property and the prototype is untouched
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('falls back to structuredClone for non-plain objects', () => {
    // Given a Map
    const map = new Map([['k', { v: 1 }]]);

    // When it is copied
    const copy = deepCopy(map);

    // Then it is a distinct, equal Map
    expect(copy).not.toBe(map);
    expect(copy).toEqual(map);
  });
});
