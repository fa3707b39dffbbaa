import { AssertionError } from 'node:assert';
import { ConcurrencyError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { expect as check } from '../src/assert/expect.js';

// The suites' own matchers (node:assert underneath): each must fail when it should.
describe('the conformance suites’ expect', () => {
  it.each([
    ['toBe', () => check(1).toBe(2)],
    ['toEqual', () => check({ a: [1, 2] }).toEqual({ a: [1, 3] })],
    ['toStrictEqual', () => check({ a: undefined }).toStrictEqual({})],
    ['toHaveLength', () => check([1]).toHaveLength(2)],
    ['toMatchObject', () => check({ a: 1, b: { c: 2 } }).toMatchObject({ b: { c: 3 } })],
    ['toMatchObject on a missing key', () => check({}).toMatchObject({ a: 1 })],
    ['toBeInstanceOf', () => check(new Error('x')).toBeInstanceOf(ConcurrencyError)],
    ['toBeUndefined', () => check(null).toBeUndefined()],
    ['toBeGreaterThanOrEqual', () => check(1).toBeGreaterThanOrEqual(2)],
    ['toContain', () => check(['a']).toContain('b')],
    ['not.toContain', () => check(['a']).not.toContain('a')],
  ])('%s throws an AssertionError on a mismatch', (_name, mismatch) => {
    expect(mismatch).toThrow(AssertionError);
  });

  it('passes what matches, and names the label in a failure', () => {
    check({ a: 1, b: undefined }).toEqual({ a: 1 });
    check(new ConcurrencyError('s', 1, 2)).toMatchObject({ streamId: 's', expectedVersion: 1, actualVersion: 2 });
    check('abc').toContain('b');
    expect(() => check(3, 'dead letters').toBe(4)).toThrow(/^dead letters: expected 3 to be 4/);
  });

  it('rejects.* fails when the promise fulfils, and checks the reason when it rejects', async () => {
    await expect(check(Promise.resolve(1)).rejects.toBeInstanceOf(Error)).rejects.toThrow(/expected a rejection, but the promise fulfilled with 1/);
    await check(Promise.reject(new ConcurrencyError('s', 1, 2))).rejects.toMatchObject({ code: 'CONCURRENCY' });
    await check(Promise.reject(new Error('a crash'))).rejects.toThrow('crash');
    await expect(check(Promise.reject(new Error('other'))).rejects.toThrow('crash')).rejects.toThrow(AssertionError);
  });
});
