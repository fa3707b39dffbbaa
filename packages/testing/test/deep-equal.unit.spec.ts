import { describe, expect, it } from 'vitest';
import { deepEqual } from '../src/assert/deep-equal.js';

describe('deepEqual (scenario comparisons and the suites\' toEqual)', () => {
  it.each([
    ['equal primitives', 1, 1, true],
    ['NaN and NaN', Number.NaN, Number.NaN, true],
    ['different primitives', 1, '1', false],
    ['null and an object', null, {}, false],
    ['nested objects', { a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'x' }] } }, true],
    ['objects differing deep down', { a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'y' }] } }, false],
    ['an undefined key and a missing one', { a: 1, b: undefined }, { a: 1 }, true],
    ['an extra key', { a: 1, b: 2 }, { a: 1 }, false],
    ['Dates at the same time', new Date(5), new Date(5), true],
    ['Dates at different times', new Date(5), new Date(6), false],
    ['a Date and its ISO string', new Date(0), new Date(0).toISOString(), false],
    ['arrays of different length', [1, 2], [1, 2, 3], false],
    ['an array and an object', [1], { 0: 1 }, false],
    ['a null-prototype object and a plain one', Object.assign(Object.create(null), { a: 1 }), { a: 1 }, true],
    ['an instance and a plain object', new (class Point { x = 1 })(), { x: 1 }, false],
    ['Sets with the same members in another order', new Set([1, { a: 2 }]), new Set([{ a: 2 }, 1]), true],
    ['Sets with different members', new Set([1, 2]), new Set([1, 3]), false],
    ['Maps with equal values', new Map([['k', { a: undefined, b: 1 }]]), new Map([['k', { b: 1 }]]), true],
  ])('%s → %s', (_name, a, b, equal) => {
    expect(deepEqual(a, b)).toBe(equal);
    expect(deepEqual(b, a)).toBe(equal);
  });
});
