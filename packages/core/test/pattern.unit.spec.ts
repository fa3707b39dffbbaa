import { describe, expect, it } from 'vitest';
import { compilePattern, matchesPattern, validatePattern, ValidationError } from '../src/index.js';
import { RouteTable } from '../src/transport.js';

function expectMatches(pattern: string, yes: string[], no: string[]): void {
  const compiled = compilePattern(pattern);
  for (const type of yes) expect(compiled.matches(type), `${pattern} should match ${type}`).toBe(true);
  for (const type of no) expect(compiled.matches(type), `${pattern} should not match ${type}`).toBe(false);
}

describe('patterns', () => {
  it('a literal pattern matches only itself, word for word', () => {
    // Given / When / Then
    expect(compilePattern('order.placed').literal).toBe(true);
    expectMatches('order.placed', ['order.placed'], ['order.placedx', 'order', 'order.placed.v2', 'x.order.placed', 'orderxplaced']);
  });

  it('`*` matches exactly one word', () => {
    expect(compilePattern('order.*').literal).toBe(false);
    expectMatches('order.*', ['order.placed', 'order.x'], ['order', 'order.placed.v2', 'orders.placed']);
    expectMatches('*.placed', ['order.placed', 'x.placed'], ['placed', 'a.b.placed']);
    expectMatches('a.*.c', ['a.b.c', 'a.zz.c'], ['a.c', 'a.b.x.c', 'a.b.c.d']);
    expectMatches('*', ['order', 'a'], ['order.placed']);
    expectMatches('*.*', ['a.b'], ['a', 'a.b.c']);
  });

  it('`#` alone matches everything', () => {
    expectMatches('#', ['a', 'a.b', 'a.b.c.d.e'], []);
  });

  it('`#` at the start matches zero or more leading words', () => {
    expectMatches('#.placed', ['placed', 'order.placed', 'eu.order.placed'], ['placed.order', 'order.placedx']);
  });

  it('`#` at the end matches zero or more trailing words', () => {
    expectMatches('order.#', ['order', 'order.placed', 'order.placed.v2'], ['orders', 'x.order', 'orders.placed']);
  });

  it('`#` in the middle matches zero words too (a.#.b matches a.b)', () => {
    expectMatches('a.#.b', ['a.b', 'a.x.b', 'a.x.y.z.b'], ['a', 'b', 'a.b.c', 'x.a.b', 'a.bb']);
    expectMatches('a.#.#.b', ['a.b', 'a.x.b', 'a.x.y.b'], ['a.x']);
  });

  it('combines `*` and `#`', () => {
    expectMatches('*.#', ['a', 'a.b', 'a.b.c'], []);
    expectMatches('#.*.c', ['x.c', 'a.b.c'], ['c', 'a.b']);
    expectMatches('a.*.#.d', ['a.b.d', 'a.b.c.d'], ['a.d', 'a.b.c']);
  });

  it('matchesPattern is the compiled matcher in one call', () => {
    expect(matchesPattern('a.#', 'a.b.c')).toBe(true);
    expect(matchesPattern('a.*', 'a.b.c')).toBe(false);
  });

  it.each(['', '.', 'a..b', '.a', 'a.', 'a.*b', 'a.b#', 'a.**', 'a.##', ' a', 'a b', 'a/b', 'a.>', 'ä'])(
    'rejects the pattern %j with a ValidationError on "pattern"',
    (pattern) => {
      // When / Then
      let thrown: unknown;
      try {
        compilePattern(pattern);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      expect((thrown as ValidationError).field).toBe('pattern');
      expect(() => validatePattern(pattern)).toThrow(ValidationError);
    },
  );

  it('rejects a non-string pattern', () => {
    expect(() => validatePattern(42)).toThrow(ValidationError);
    expect(() => validatePattern(undefined)).toThrow(ValidationError);
    expect(() => compilePattern(null as unknown as string)).toThrow(ValidationError);
  });

  it('caches the compiled form: the same pattern compiles once', () => {
    // Given
    const first = compilePattern('cache.test.#');
    // When
    const second = compilePattern('cache.test.#');
    // Then
    expect(second).toBe(first);
    expect(first.pattern).toBe('cache.test.#');
  });

  it('does not cache invalid patterns', () => {
    expect(() => compilePattern('bad..pattern')).toThrow(ValidationError);
    expect(() => compilePattern('bad..pattern')).toThrow(ValidationError);
  });
});

describe('RouteTable', () => {
  it('finds literal and wildcard entries that match a type, each once', () => {
    // Given
    const table = new RouteTable<string>();
    table.add('order.placed', 'literal');
    table.add('order.*', 'star');
    table.add('#', 'all');
    table.add('payment.*', 'other');
    // When
    const matched = table.match('order.placed');
    // Then
    expect([...matched].sort()).toEqual(['all', 'literal', 'star']);
    expect(table.match('payment.failed')).toEqual(['all', 'other']);
    expect(table.match('user')).toEqual(['all']);
    expect(table.size).toBe(4);
  });

  it('lists literal entries first, each kind in the order added', () => {
    // Given
    const table = new RouteTable<string>();
    table.add('#', 'w1');
    table.add('a.b', 'l1');
    table.add('a.*', 'w2');
    table.add('a.b', 'l2');
    // When / Then
    expect(table.match('a.b')).toEqual(['l1', 'l2', 'w1', 'w2']);
  });

  it('returns nothing for a type nobody subscribes to', () => {
    const table = new RouteTable<string>();
    table.add('a.b', 'x');
    expect(table.match('a.c')).toEqual([]);
  });

  it('removes an entry and stops matching it', () => {
    // Given
    const table = new RouteTable<string>();
    table.add('a.b', 'literal');
    table.add('a.*', 'star');
    // When
    const removedLiteral = table.remove('a.b', 'literal');
    const removedStar = table.remove('a.*', 'star');
    const removedAgain = table.remove('a.*', 'star');
    // Then
    expect(removedLiteral).toBe(true);
    expect(removedStar).toBe(true);
    expect(removedAgain).toBe(false);
    expect(table.match('a.b')).toEqual([]);
    expect(table.size).toBe(0);
  });

  it('removes only the entry under the pattern given, when the same entry is routed twice', () => {
    // Given the same entry under a literal and two wildcard patterns
    const table = new RouteTable<string>();
    table.add('a.b', 'e');
    table.add('a.*', 'e');
    table.add('#.b', 'e');
    // When
    const removed = table.remove('#.b', 'e');
    // Then
    expect(removed).toBe(true);
    expect(table.size).toBe(2);
    expect(table.match('a.b')).toEqual(['e', 'e']);
    expect(table.match('x.b')).toEqual([]);
    expect(table.remove('x.*', 'e')).toBe(false);
    expect(table.size).toBe(2);
  });

  it('caches a route until the table changes', () => {
    // Given
    const table = new RouteTable<string>();
    table.add('a.*', 'star');
    const first = table.match('a.b');
    // When nothing changes, the same answer comes back
    expect(table.match('a.b')).toBe(first);
    // When an entry is added, the cache is invalidated
    table.add('a.b', 'literal');
    const second = table.match('a.b');
    // Then
    expect(second).not.toBe(first);
    expect(second).toEqual(['literal', 'star']);
    // When an entry is removed, the cache is invalidated again
    table.remove('a.*', 'star');
    expect(table.match('a.b')).toEqual(['literal']);
  });

  it('does not invalidate the cache on a remove that removed nothing', () => {
    const table = new RouteTable<string>();
    table.add('a.*', 'star');
    const first = table.match('a.b');
    table.remove('a.*', 'missing');
    expect(table.match('a.b')).toBe(first);
  });

  it('rejects an invalid pattern on add', () => {
    const table = new RouteTable<string>();
    expect(() => table.add('a..b', 'x')).toThrow(ValidationError);
    expect(table.size).toBe(0);
  });
});
