import { compilePattern } from '@herald/core';
import { interleavedBestOf } from '../interleaved.js';
import { result, type BenchContext, type BenchResult, type Scenario } from '../harness.js';

/**
 * Subscription pattern matching (`compilePattern(p).matches(type)`), the check every
 * transport runs for every delivered event and subscription, in matches per second.
 *
 * (a) Typical patterns (`*`, a trailing `#`, a leading `#`, `#` in the middle) against a
 *     mix of types they match and do not, against the usual hand-written alternative: each
 *     pattern turned into an anchored RegExp, same inputs. Target: ratio ≥ 1.
 * (b) The worst case for a backtracking matcher, `#.a.#.a.#.a.#.a.#.x` against
 *     `a.a.…a.ax` (61 words, no match): against the same compiled pattern on a 10-word type
 *     of the same shape. A matcher linear in the type's words stays within a small factor
 *     of the short type (target: ratio ≥ 0.05); a backtracking one takes seconds per call.
 *     No RegExp baseline here: a regex built from this pattern backtracks exponentially too.
 */

const TYPICAL_PATTERNS = ['gamifier.points.*', 'gamifier.#', '#.awarded', 'gamifier.*.awarded', '#.points.#'];
const TYPES = [
  'gamifier.points.awarded',
  'gamifier.badges.unlocked',
  'billing.invoice.paid',
  'gamifier.points.revoked.v2',
  'gamifier.level',
];
const WORST_PATTERN = '#.a.#.a.#.a.#.a.#.x';
const WORST_TYPE = `${'a.'.repeat(60)}ax`;
const SHORT_TYPE = `${'a.'.repeat(9)}ax`;

/** A RegExp for an AMQP-style topic pattern: `*` one word, `#` zero or more words. */
function patternRegExp(pattern: string): RegExp {
  const words = pattern.split('.');
  let source = '';
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '#') source += i === 0 ? (words.length === 1 ? '.*' : '(?:[^.]+\\.)*') : '(?:\\.[^.]+)*';
    else source += (i === 0 || words[i - 1] === '#' && i - 1 === 0 ? '' : '\\.') + (w === '*' ? '[^.]+' : w.replace(/[-]/g, '\\-'));
  }
  return new RegExp(`^${source}$`);
}

/** Matches per second of `match` over every (pattern, type) pair, repeated until `minMs` passed. */
function rate(pairs: number, match: (i: number) => boolean, minMs: number): number {
  let calls = 0;
  let hits = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < pairs; i++) if (match(i)) hits++;
    calls += pairs;
    elapsed = performance.now() - started;
  } while (elapsed < minMs);
  if (hits < 0) throw new Error('unreachable'); // keeps `hits` live
  return (calls / elapsed) * 1000;
}

async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const minMs = ctx.quick ? 100 : 500;
  const runs = ctx.quick ? 3 : 7;

  const compiled = TYPICAL_PATTERNS.map((p) => compilePattern(p));
  const regexes = TYPICAL_PATTERNS.map(patternRegExp);
  // Both sides must agree on every pair, or the comparison means nothing.
  for (let p = 0; p < TYPICAL_PATTERNS.length; p++) {
    for (const type of TYPES) {
      if (compiled[p]!.matches(type) !== regexes[p]!.test(type)) {
        throw new Error(`bench: pattern ${TYPICAL_PATTERNS[p]} and its RegExp disagree on ${type}`);
      }
    }
  }
  const pairs = TYPICAL_PATTERNS.length * TYPES.length;
  const typical = await interleavedBestOf(
    runs,
    async () => rate(pairs, (i) => compiled[i % compiled.length]!.matches(TYPES[(i / compiled.length) | 0]!), minMs),
    async () => rate(pairs, (i) => regexes[i % regexes.length]!.test(TYPES[(i / regexes.length) | 0]!), minMs),
  );

  const worst = compilePattern(WORST_PATTERN);
  const worstCase = await interleavedBestOf(
    runs,
    async () => rate(1, () => worst.matches(WORST_TYPE), minMs),
    async () => rate(1, () => worst.matches(SHORT_TYPE), minMs),
  );
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  ctx.log(`typical patterns: ${fmt(typical.herald)} matches/s (RegExp ${fmt(typical.baseline)})`);
  ctx.log(`worst case, 61 words: ${fmt(worstCase.herald)} matches/s (10 words: ${fmt(worstCase.baseline)})`);

  return [
    result({
      scenario: 'pattern',
      metric: `typical patterns (${TYPICAL_PATTERNS.join(' ')}) × ${TYPES.length} types`,
      unit: 'matches/s',
      herald: typical.herald,
      baseline: typical.baseline,
      baselineName: 'an anchored RegExp per pattern',
      minRatio: 1,
    }),
    result({
      scenario: 'pattern',
      metric: `worst case ${WORST_PATTERN} on a 61-word type`,
      unit: 'matches/s',
      herald: worstCase.herald,
      baseline: worstCase.baseline,
      baselineName: 'same pattern on a 10-word type',
      minRatio: 0.05,
    }),
  ];
}

export const scenarios: Scenario[] = [{ name: 'pattern', run }];
