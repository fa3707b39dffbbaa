import { ValidationError } from '../errors.js';

/**
 * Herald's one definition of subscription patterns, used by every transport:
 * words split on `.`, `*` matches exactly one word, `#` matches zero or more
 * words. A pattern is parsed once into a matcher and cached.
 */
export interface CompiledPattern {
  readonly pattern: string;
  /** True when the pattern has no wildcard and matches only itself. */
  readonly literal: boolean;
  matches(type: string): boolean;
}

const WORD = /^[A-Za-z0-9_-]+$/;
const cache = new Map<string, CompiledPattern>();
const CACHE_LIMIT = 10_000;

export function compilePattern(pattern: string): CompiledPattern {
  const cached = cache.get(pattern);
  if (cached) return cached;
  const compiled = build(pattern);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

export function matchesPattern(pattern: string, type: string): boolean {
  return compilePattern(pattern).matches(type);
}

/** Throws ValidationError when `pattern` is not a valid subscription pattern. */
export function validatePattern(pattern: unknown): asserts pattern is string {
  if (typeof pattern !== 'string') throw new ValidationError('pattern', 'must be a string');
  compilePattern(pattern);
}

function build(pattern: string): CompiledPattern {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new ValidationError('pattern', 'must be a non-empty string');
  }
  const words = pattern.split('.');
  for (const w of words) {
    if (w !== '*' && w !== '#' && !WORD.test(w)) {
      throw new ValidationError(
        'pattern',
        `"${pattern}" has an invalid word "${w}": use letters, digits, "_", "-", or a whole-word "*" or "#"`,
      );
    }
  }
  if (!words.includes('*') && !words.includes('#')) {
    return { pattern, literal: true, matches: (type) => type === pattern };
  }
  if (pattern === '#') return { pattern, literal: false, matches: () => true };
  // Runs of `#` mean the same as one `#`: collapse them, then cut the pattern at each `#` into
  // fixed-length segments of words (`*` or literal).
  const segments: string[][] = [[]];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '#') {
      if (i === 0 || words[i - 1] !== '#') segments.push([]);
    } else {
      segments[segments.length - 1]!.push(words[i]!);
    }
  }
  if (segments.length === 1) {
    // No `#`: the words from the start, and nothing after them.
    const only = segments[0]!;
    return { pattern, literal: false, matches: (type) => prefixEnd(type, only) === type.length };
  }
  const prefix = segments[0]!;
  const suffix = segments[segments.length - 1]!;
  const middle = segments.slice(1, -1).filter((s) => s.length > 0);
  if (middle.length === 0) {
    // One `#` (the commonest wildcard): the prefix from the start, the suffix from the end, not
    // overlapping; walked on the string itself, without splitting it into words.
    return {
      pattern,
      literal: false,
      matches(type) {
        const end = prefixEnd(type, prefix);
        if (end === NO_MATCH) return false;
        const start = suffixStart(type, suffix);
        return start !== NO_MATCH && start > end;
      },
    };
  }
  let fixed = prefix.length + suffix.length;
  for (const seg of middle) fixed += seg.length;
  return { pattern, literal: false, matches: (type) => matchHashes(type, prefix, middle, suffix, fixed) };
}

const NO_MATCH = -2;

/**
 * Where the words of `segment`, matched from the start of `type`, end (exclusive): -1 for
 * an empty segment, NO_MATCH when they do not match.
 */
function prefixEnd(type: string, segment: readonly string[]): number {
  let end = -1;
  for (let i = 0; i < segment.length; i++) {
    if (end === type.length) return NO_MATCH; // no word left
    const from = end + 1;
    const word = segment[i]!;
    if (word === '*') {
      const dot = type.indexOf('.', from);
      end = dot === -1 ? type.length : dot;
    } else {
      end = from + word.length;
      if (!type.startsWith(word, from) || (end !== type.length && type.charCodeAt(end) !== 46)) return NO_MATCH;
    }
  }
  return end;
}

/**
 * Where the words of `segment`, matched against the end of `type`, start: `type.length + 1`
 * for an empty segment, NO_MATCH when they do not match.
 */
function suffixStart(type: string, segment: readonly string[]): number {
  let start = type.length + 1;
  for (let i = segment.length - 1; i >= 0; i--) {
    if (start === 0) return NO_MATCH; // no word left
    const end = start - 1;
    const word = segment[i]!;
    if (word === '*') {
      start = end === 0 ? 0 : type.lastIndexOf('.', end - 1) + 1;
    } else {
      start = end - word.length;
      if (start < 0 || !type.startsWith(word, start) || (start !== 0 && type.charCodeAt(start - 1) !== 46)) return NO_MATCH;
    }
  }
  return start;
}

/*
 * Matching is linear in the type's words for a given pattern, with no backtracking.
 * Between two `#` lies a segment of a fixed number of words, so the first place a segment
 * fits is always the best one: any later fit leaves fewer words for what follows, and
 * the `#` on either side absorbs whatever lies between. Each segment is therefore searched
 * for once, left to right, from where the previous one ended: at most (type words ×
 * segment words) comparisons in all, where a backtracking matcher took time exponential
 * in the number of `#`.
 */

/** Start offset of each word of the type last tokenized, plus one past the end (a reused scratch buffer). */
let starts = new Int32Array(64);

/** Splits `type` on `.` into `starts`, without allocating; returns the number of words. */
function tokenize(type: string): number {
  let n = 0;
  let from = 0;
  for (;;) {
    if (n + 1 >= starts.length) {
      const grown = new Int32Array(starts.length * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[n++] = from;
    const dot = type.indexOf('.', from);
    if (dot === -1) break;
    from = dot + 1;
  }
  starts[n] = type.length + 1; // as if a dot followed the last word
  return n;
}

/** True when word `k` of the tokenized `type` is `word` (`*` matches any word). */
function wordIs(type: string, k: number, word: string): boolean {
  if (word === '*') return true;
  const start = starts[k]!;
  return starts[k + 1]! - 1 - start === word.length && type.startsWith(word, start);
}

/** True when the words of `segment` are the type's words from `at` on. */
function segmentAt(type: string, segment: readonly string[], at: number): boolean {
  for (let i = 0; i < segment.length; i++) if (!wordIs(type, at + i, segment[i]!)) return false;
  return true;
}

function matchHashes(
  type: string,
  prefix: readonly string[],
  middle: readonly string[][],
  suffix: readonly string[],
  fixed: number,
): boolean {
  const n = tokenize(type);
  if (n < fixed) return false;
  if (!segmentAt(type, prefix, 0)) return false;
  const end = n - suffix.length; // where the suffix must start: the last words of the type
  if (!segmentAt(type, suffix, end)) return false;
  let at = prefix.length;
  for (const segment of middle) {
    const last = end - segment.length; // the latest start that leaves room before the suffix
    while (at <= last && !segmentAt(type, segment, at)) at++;
    if (at > last) return false;
    at += segment.length;
  }
  return true;
}
