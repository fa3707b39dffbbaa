/**
 * Herald patterns as Redis PSUBSCRIBE globs.
 *
 * Redis globs cannot say "one word" (`*` also matches dots) nor "zero or more
 * words" (`#`, which may swallow its neighbouring dots), so the globs here are
 * always at least as broad as the pattern; every message is then filtered with
 * core's matcher. A `#` becomes two globs (zero words / one or more words), up
 * to two `#`s per pattern; beyond that one broad glob stands for the pattern.
 *
 * The globs of one pattern may overlap (both match a channel), so Redis then
 * sends one message per glob. `canonicalGlob` picks the one a subscription
 * takes the message from, so it sees each publish once.
 */
export interface Glob {
  /** The glob as sent to Redis (prefix escaped). */
  readonly text: string;
  /** The literal text between `*`s, unescaped: `a*b` → ['a', 'b']. */
  readonly parts: readonly string[];
}

const MAX_EXPANDED_HASHES = 2;

/** The globs to PSUBSCRIBE for `pattern` (already validated by core) under `prefix`, most specific first. */
export function globsFor(prefix: string, pattern: string): Glob[] {
  const words: string[] = [];
  for (const w of pattern.split('.')) if (!(w === '#' && words[words.length - 1] === '#')) words.push(w);
  const hashes = words.filter((w) => w === '#').length;
  if (hashes > MAX_EXPANDED_HASHES || (words.length === 1 && words[0] === '#')) {
    return [makeGlob(prefix, broadParts(words))];
  }
  const variants: string[][] = [];
  for (let mask = 0; mask < 1 << hashes; mask++) {
    let h = 0;
    const out: string[] = [];
    for (const w of words) {
      if (w !== '#') out.push(w);
      else if (mask & (1 << h++)) out.push('*');
    }
    if (out.length > 0) variants.push(out);
  }
  const globs = dedupe(variants.map((v) => makeGlob(prefix, splitOnStars(v.join('.')))));
  return prefix.includes('*') ? globs : withoutSubsumed(globs);
}

/** True when `glob` (as Redis would apply it) matches `channel`. */
export function globMatches(glob: Glob, channel: string): boolean {
  return partsMatch(glob.parts, channel);
}

/**
 * The glob of `globs` that a subscription takes a message on `channel` from:
 * the first that matches. Redis sends the message once per matching glob;
 * taking it from one only gives one delivery per publish.
 */
export function canonicalGlob(globs: readonly Glob[], channel: string): Glob | undefined {
  if (globs.length === 1) return globs[0];
  for (const g of globs) if (globMatches(g, channel)) return g;
  return undefined;
}

// `#` words and the dots beside them become one `*`: `a.#.b` → a*b, `#.a` → *a.
function broadParts(words: string[]): string[] {
  let text = '';
  let afterHash = false;
  words.forEach((w, i) => {
    if (w === '#') {
      if (!text.endsWith('*')) text += '*';
      afterHash = true;
      return;
    }
    if (i > 0 && !afterHash) text += '.';
    text += w;
    afterHash = false;
  });
  return splitOnStars(text);
}

// Pattern words never contain `*` except as a whole word, so splitting the
// joined text on `*` gives the literal parts.
function splitOnStars(text: string): string[] {
  return text.split('*');
}

function makeGlob(prefix: string, parts: string[]): Glob {
  const withPrefix = [prefix + parts[0], ...parts.slice(1)];
  return { text: withPrefix.map(escapeGlob).join('*'), parts: withPrefix };
}

function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, '\\$&');
}

function dedupe(globs: Glob[]): Glob[] {
  const seen = new Set<string>();
  return globs.filter((g) => {
    if (seen.has(g.text)) return false;
    seen.add(g.text);
    return true;
  });
}

// Drops a glob when another matches everything it matches. With literal parts
// free of `*`, A covers B exactly when A matches B's text read literally.
function withoutSubsumed(globs: Glob[]): Glob[] {
  return globs.filter((b, i) => !globs.some((a, j) => j !== i && partsMatch(a.parts, b.parts.join('*')) && (j < i || !partsMatch(b.parts, a.parts.join('*')))));
}

// `*`-only glob matching: the first part is a prefix, the last a suffix, the
// middle ones found left to right (leftmost is always safe for `*`).
function partsMatch(parts: readonly string[], text: string): boolean {
  const n = parts.length;
  const first = parts[0]!;
  if (n === 1) return text === first;
  const last = parts[n - 1]!;
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < n - 1; i++) {
    const part = parts[i]!;
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}
