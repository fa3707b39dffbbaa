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
  // Collapse runs of `#` (they mean the same as one) and build a matcher over words.
  const parts: string[] = [];
  for (const w of words) if (!(w === '#' && parts[parts.length - 1] === '#')) parts.push(w);
  const hasHash = parts.includes('#');
  if (!hasHash) {
    const n = parts.length;
    return {
      pattern,
      literal: false,
      matches(type) {
        const t = type.split('.');
        if (t.length !== n) return false;
        for (let i = 0; i < n; i++) if (parts[i] !== '*' && parts[i] !== t[i]) return false;
        return true;
      },
    };
  }
  return { pattern, literal: false, matches: (type) => matchWords(parts, 0, type.split('.'), 0) };
}

// Backtracking over words; patterns are short and `#` runs are collapsed, so this stays small.
function matchWords(p: string[], pi: number, t: string[], ti: number): boolean {
  while (pi < p.length) {
    const w = p[pi];
    if (w === '#') {
      if (pi === p.length - 1) return true;
      for (let k = ti; k <= t.length; k++) if (matchWords(p, pi + 1, t, k)) return true;
      return false;
    }
    if (ti >= t.length) return false;
    if (w !== '*' && w !== t[ti]) return false;
    pi++;
    ti++;
  }
  return ti === t.length;
}
