import { compilePattern } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { canonicalGlob, globMatches, globsFor } from '../src/globs.js';

const texts = (prefix: string, pattern: string) => globsFor(prefix, pattern).map((g) => g.text);

describe('globsFor', () => {
  it('subscribes a literal pattern as itself', () => {
    expect(texts('p:', 'orders.created')).toEqual(['p:orders.created']);
  });

  it('turns "*" into a Redis "*" (broader: core filters)', () => {
    expect(texts('p:', 'orders.*')).toEqual(['p:orders.*']);
    expect(texts('p:', '*.paid')).toEqual(['p:*.paid']);
  });

  it('expands "#" into its zero-word and one-or-more-word forms', () => {
    expect(texts('p:', 'orders.#')).toEqual(['p:orders', 'p:orders.*']);
    expect(texts('p:', '#.paid')).toEqual(['p:paid', 'p:*.paid']);
    expect(texts('p:', 'a.#.b')).toEqual(['p:a.b', 'p:a.*.b']);
    expect(texts('p:', '#.a.#')).toEqual(['p:a', 'p:*.a', 'p:a.*', 'p:*.a.*']);
  });

  it('keeps one glob where another already covers it', () => {
    // a.* (Redis) matches everything a.*.* does
    expect(texts('p:', 'a.*.#')).toEqual(['p:a.*']);
  });

  it('uses one broad glob for "#" alone and for more than two "#"s', () => {
    expect(texts('p:', '#')).toEqual(['p:*']);
    expect(texts('p:', '#.#')).toEqual(['p:*']);
    expect(texts('p:', 'a.#.b.#.c.#')).toEqual(['p:a*b*c*']);
    expect(texts('p:', '#.a.#.b.#')).toEqual(['p:*a*b*']);
  });

  it('escapes glob characters in the prefix', () => {
    const [glob] = globsFor('we?ird[*]\\:', 'x.*');
    expect(glob!.text).toBe('we\\?ird\\[\\*\\]\\\\:x.*');
    expect(globMatches(glob!, 'we?ird[*]\\:x.y')).toBe(true);
    expect(globMatches(glob!, 'weXird[*]\\:x.y')).toBe(false);
  });
});

describe('globs cover their pattern', () => {
  const patterns = ['a', 'a.b', 'a.*', '*.b', 'a.#', '#.b', 'a.#.b', '#.a.#', 'a.*.#', '#', '*.*', 'a.#.b.#.c.#', '*.#.*'];
  const types = ['a', 'b', 'a.b', 'a.c', 'c.b', 'a.b.c', 'a.x.b', 'x.a.y', 'a.a', 'a.b.c.d', 'ab', 'x.a.b.c.y', 'a.x.b.y.c'];

  it('every type a pattern matches is matched by one of its globs, and the canonical glob is one that matches', () => {
    for (const pattern of patterns) {
      const globs = globsFor('pre:', pattern);
      const matcher = compilePattern(pattern);
      for (const type of types) {
        const channel = `pre:${type}`;
        if (!matcher.matches(type)) continue;
        const matching = globs.filter((g) => globMatches(g, channel));
        expect(matching.length, `${pattern} / ${type}`).toBeGreaterThan(0);
        expect(matching).toContain(canonicalGlob(globs, channel));
      }
    }
  });
});
