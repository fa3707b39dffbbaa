import { describe, expect, it } from 'vitest';
import { type BaseEvent, validateEvent, ValidationError } from '../src/index.js';

// validateEvent answers a sound event with a quick yes/no pass and names the bad field in a
// second pass only when the first says no. These cases aim at the first pass: it must never
// accept what the naming pass rejects, whatever the nesting.

function base(extra: Record<string, unknown> = {}): BaseEvent & Record<string, unknown> {
  return {
    id: 'evt-1',
    type: 'fast.path.checked',
    timestamp: new Date('2024-01-01T00:00:00.000Z'),
    version: 1,
    metadata: { correlationId: 'c-1', source: 'test', environment: 'test' },
    ...extra,
  };
}

function fieldOf(event: unknown): string | undefined {
  try {
    validateEvent(event);
    return undefined;
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
}

/** A deterministic PRNG in [0, 1). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('validateEvent, fast pass', () => {
  it('rejects what JSON cannot carry at any depth, in arrays and objects alike, naming it', () => {
    const bad: Array<[unknown, string]> = [
      [10n, 'bigint'],
      [() => 1, 'function'],
      [Symbol('s'), 'symbol'],
      [Number.NaN, 'NaN'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
    ];
    for (const [value, what] of bad) {
      // Given the bad value inside arrays inside objects inside arrays
      const event = base({ data: { rows: [[{ ok: 1 }, { cell: [1, 'a', value] }]] } });
      // When / Then it is named with its full path
      expect(fieldOf(event), what).toBe('data.rows[0][1].cell[2]');
    }
  });

  it('rejects a bad value in an extra metadata key or an extra top-level key', () => {
    expect(fieldOf({ ...base(), metadata: { ...base().metadata, extra: { deep: [1n] } } })).toBe('metadata.extra.deep[0]');
    expect(fieldOf(base({ extra: Number.POSITIVE_INFINITY }))).toBe('extra');
  });

  it('rejects cycles through arrays and back to the event, and accepts shared (acyclic) objects', () => {
    // Given a cycle through an array, a cycle to the root, and a DAG
    const looped = base({ data: { list: [] as unknown[] } });
    (looped.data as { list: unknown[] }).list.push({ back: (looped.data as { list: unknown[] }).list });
    const rooted = base({ data: { list: [] as unknown[] } });
    (rooted.data as { list: unknown[] }).list.push(rooted);
    const shared = { n: 1 };
    const dag = base({ data: { a: shared, b: [shared, { c: shared }] } });

    // When / Then
    expect(fieldOf(looped)).toBe('data.list[0].back');
    expect(fieldOf(rooted)).toBe('data.list[0]');
    expect(fieldOf(dag)).toBeUndefined();
  });

  it('accepts every JSON scalar, null, undefined and Dates at depth', () => {
    expect(fieldOf(base({ data: { a: [null, undefined, true, false, 0, -0, 1.5, 'x', new Date(0), { d: new Date(1) }] } }))).toBeUndefined();
  });

  it('is not confused by a getter that validates another event during the walk, nor by one that throws', () => {
    // Given an event whose data has a getter that validates a different (bad) event first
    const inner = base({ data: { bad: 1n } });
    const outer = base({
      data: {
        get nested() {
          expect(fieldOf(inner)).toBe('data.bad');
          return { fine: [1, 2, 3] };
        },
      },
    });
    // When / Then the outer one is still judged on its own content
    expect(fieldOf(outer)).toBeUndefined();

    // And a getter that throws propagates, after which validation still works
    const throwing = base({
      data: {
        get broken(): unknown {
          throw new Error('getter failed');
        },
      },
    });
    expect(() => validateEvent(throwing)).toThrow('getter failed');
    expect(fieldOf(base({ data: { again: [{ ok: true }] } }))).toBeUndefined();
    const cyclic = base({ data: {} as Record<string, unknown> });
    (cyclic.data as Record<string, unknown>).self = cyclic.data;
    expect(fieldOf(cyclic)).toBe('data.self');
  });

  it('agrees with a plain reference walk on 2,000 random payloads', () => {
    const next = random(7);
    const scalars: unknown[] = ['s', '', 0, -1.5, true, false, null, undefined, new Date(3)];
    const poison: unknown[] = [1n, Number.NaN, Number.POSITIVE_INFINITY, () => 0, Symbol('x')];

    /** A random tree, poisoned at one place with probability ~1/3; returns the tree and whether it is bad. */
    function tree(depth: number): { value: unknown; bad: boolean } {
      const roll = next();
      if (depth === 0 || roll < 0.35) {
        if (next() < 0.02) return { value: poison[Math.floor(next() * poison.length)], bad: true };
        return { value: scalars[Math.floor(next() * scalars.length)], bad: false };
      }
      const n = Math.floor(next() * 4);
      let bad = false;
      if (roll < 0.65) {
        const arr: unknown[] = [];
        for (let i = 0; i < n; i++) {
          const child = tree(depth - 1);
          arr.push(child.value);
          bad ||= child.bad;
        }
        return { value: arr, bad };
      }
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const child = tree(depth - 1);
        obj[`k${i}`] = child.value;
        bad ||= child.bad;
      }
      return { value: obj, bad };
    }

    let rejected = 0;
    for (let i = 0; i < 2_000; i++) {
      // Given a random payload, sometimes with a value JSON cannot carry somewhere inside
      const { value, bad } = tree(5);
      const event = base({ data: { payload: value } });
      // When it is validated
      const field = fieldOf(event);
      // Then it is rejected exactly when it holds such a value, and the field named is inside the payload
      expect(field === undefined, `payload ${i}`).toBe(!bad);
      if (field !== undefined) {
        expect(field.startsWith('data.payload')).toBe(true);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(50);
  });
});
