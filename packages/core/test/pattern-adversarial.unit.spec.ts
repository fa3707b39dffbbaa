import { describe, expect, it } from 'vitest';
import { compilePattern, matchesPattern } from '../src/index.js';
import { seededRandom } from '../../../tooling/test-support/random.js';

/**
 * The reference answer, by dynamic programming over (pattern word, type word): plainly
 * right and polynomial, so the matcher under test can be checked against it on random input.
 */
function reference(pattern: string, type: string): boolean {
  const p = pattern.split('.');
  const t = type.split('.');
  // can[i * cols + j]: the pattern from word i matches the type from word j
  const cols = t.length + 1;
  const can = new Uint8Array((p.length + 1) * cols);
  can[p.length * cols + t.length] = 1;
  for (let i = p.length - 1; i >= 0; i--) {
    for (let j = t.length; j >= 0; j--) {
      const w = p[i];
      const rest = j < t.length ? can[(i + 1) * cols + j + 1] : 0;
      if (w === '#') can[i * cols + j] = can[(i + 1) * cols + j] || (j < t.length ? can[i * cols + j + 1] : 0) ? 1 : 0;
      else can[i * cols + j] = rest && (w === '*' || w === t[j]) ? 1 : 0;
    }
  }
  return can[0] === 1;
}

/** Milliseconds `fn` takes. Used only with bounds generous enough to catch exponential blowups, not to judge speed. */
function millis(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

describe('pattern matching on adversarial input', () => {
  it('answers the worst case for backtracking, #.a.#.a.#.a.#.a.#.x against a.a.…a.ax, at once', () => {
    // Given the pattern that made the backtracking matcher take seconds, and a type it almost matches
    const type = `${'a.'.repeat(60)}ax`;

    // When it is matched
    let matched: boolean | undefined;
    const ms = millis(() => {
      matched = matchesPattern('#.a.#.a.#.a.#.a.#.x', type);
    });

    // Then the answer is no, well within a bound that only a blowup would reach
    expect(matched).toBe(false);
    expect(ms).toBeLessThan(1_000);
  });

  it.each([
    ['#.a.#.a.#.a.#.a.#.x', 'a', 'ax'],
    ['#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.x', 'a', 'a.y'],
    ['#.*.#.*.#.*.#.*.#.*.#.z', 'b', 'y'],
    ['a.#.a.#.a.#.a.#.a.#.a', 'a', 'b'],
    ['#.a.b.#.a.b.#.a.b.#.c', 'a.b', 'a.b.d'],
  ])('%s against 10,000-word types stays linear (repeated word %s, ending %s)', (pattern, word, ending) => {
    // Given types of 10,000 words built to keep every `#` guessing, one that matches and one that does not
    const words = word.split('.').length;
    const body = Array.from({ length: Math.floor(10_000 / words) }, () => word).join('.');
    const compiled = compilePattern(pattern);
    const matching = `${body}.${pattern.split('.').pop()}`;
    const failing = `${body}.${ending}`;

    // When each is matched
    let answers: boolean[] = [];
    const ms = millis(() => {
      answers = [compiled.matches(matching), compiled.matches(failing)];
    });

    // Then the answers agree with the reference, and a generous bound catches any superlinear blowup
    expect(answers).toEqual([reference(pattern, matching), reference(pattern, failing)]);
    expect(answers[1]).toBe(false);
    expect(ms).toBeLessThan(2_000);
  });

  it('agrees with a dynamic-programming reference on 20,000 random patterns and types', () => {
    // Given a seeded generator of patterns and types over a tiny alphabet (so matches and near misses are common)
    const random = seededRandom(20_261_207);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const wordsOf = (n: number, alphabet: readonly string[]) => Array.from({ length: n }, () => pick(alphabet)).join('.');

    // When each pair is matched by both
    const disagreements: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const pattern = wordsOf(1 + Math.floor(random() * 7), ['a', 'b', '*', '#', '#']);
      const type = wordsOf(1 + Math.floor(random() * 9), ['a', 'b', 'c']);
      if (matchesPattern(pattern, type) !== reference(pattern, type)) disagreements.push(`${pattern} ~ ${type}`);
    }

    // Then they never disagree
    expect(disagreements).toEqual([]);
  });
});
