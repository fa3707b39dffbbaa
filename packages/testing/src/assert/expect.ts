import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { deepEqual, plainForm } from './deep-equal.js';

/**
 * The few matchers the conformance suites use, on node:assert, so the suites run
 * under any test runner. A failure is an `AssertionError` with `actual` and
 * `expected` (runners print a diff from them), prefixed by `label` when given.
 */
export function expect<T>(actual: T, label?: string) {
  const fail = (message: string, expected: unknown, operator: string): never => {
    throw new assert.AssertionError({
      message: label === undefined ? message : `${label}: ${message}`,
      actual,
      expected,
      operator,
    });
  };
  const show = (value: unknown) => inspect(value, { depth: 6, breakLength: Number.POSITIVE_INFINITY });

  return {
    /** Same value (Object.is). */
    toBe(expected: unknown): void {
      if (!Object.is(actual, expected)) fail(`expected ${show(actual)} to be ${show(expected)}`, expected, 'strictEqual');
    },
    /** Structurally equal: see deepEqual (an undefined property counts as absent). */
    toEqual(expected: unknown): void {
      if (!deepEqual(actual, expected)) fail(`expected ${show(actual)} to equal ${show(expected)}`, expected, 'deepEqual');
    },
    /** Equal as node:assert's deepStrictEqual has it: prototypes and undefined properties count. */
    toStrictEqual(expected: unknown): void {
      assert.deepStrictEqual(actual, expected, label);
    },
    toHaveLength(expected: number): void {
      const length = (actual as { length?: unknown } | null | undefined)?.length;
      if (length !== expected) fail(`expected length ${expected}, got ${String(length)}: ${show(actual)}`, expected, 'length');
    },
    /** Every property of `expected` is on `actual` and matches (objects recursively, the rest by deepEqual). */
    toMatchObject(expected: object): void {
      if (!matches(actual, expected)) fail(`expected ${show(actual)} to match ${show(expected)}`, expected, 'matchObject');
    },
    toBeInstanceOf(expected: abstract new (...args: never[]) => unknown): void {
      if (!(actual instanceof expected)) fail(`expected ${show(actual)} to be an instance of ${expected.name}`, expected, 'instanceof');
    },
    toBeUndefined(): void {
      if (actual !== undefined) fail(`expected ${show(actual)} to be undefined`, undefined, 'strictEqual');
    },
    toBeGreaterThanOrEqual(expected: number): void {
      if (!((actual as number) >= expected)) fail(`expected ${show(actual)} to be >= ${expected}`, expected, '>=');
    },
    /** An array or string holding `item`. */
    toContain(item: unknown): void {
      if (!contains(actual, item)) fail(`expected ${show(actual)} to contain ${show(item)}`, item, 'includes');
    },
    not: {
      toContain(item: unknown): void {
        if (contains(actual, item)) fail(`expected ${show(actual)} not to contain ${show(item)}`, item, 'notIncludes');
      },
    },
    /** Assertions on the reason `actual` (a promise) rejects with; fails when it fulfils. */
    rejects: {
      async toMatchObject(expected: object): Promise<void> {
        expect(await reason(actual, label), label).toMatchObject(expected);
      },
      async toBeInstanceOf(expected: abstract new (...args: never[]) => unknown): Promise<void> {
        expect(await reason(actual, label), label).toBeInstanceOf(expected);
      },
      /** The reason's message contains `message`. */
      async toThrow(message: string): Promise<void> {
        const error = await reason(actual, label);
        expect((error as Error | undefined)?.message ?? String(error), label).toContain(message);
      },
    },
  };
}

async function reason(promise: unknown, label: string | undefined): Promise<unknown> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({
    message: `${label === undefined ? '' : `${label}: `}expected a rejection, but the promise fulfilled with ${inspect(value)}`,
    operator: 'rejects',
  });
}

function contains(haystack: unknown, item: unknown): boolean {
  if (typeof haystack === 'string') return typeof item === 'string' && haystack.includes(item);
  return Array.isArray(haystack) && haystack.some((x) => Object.is(x, item));
}

function matches(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(actual[i], e));
  }
  if (plainForm(expected) && typeof actual === 'object' && actual !== null) {
    const record = actual as Record<string, unknown>;
    return Object.entries(expected as Record<string, unknown>).every(
      ([key, value]) => (key in record || value === undefined) && matches(record[key], value),
    );
  }
  return deepEqual(actual, expected);
}
