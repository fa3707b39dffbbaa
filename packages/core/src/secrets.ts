/**
 * Keeping credentials out of errors and log lines: the one implementation
 * every transport and store uses. Client libraries (ioredis, amqplib, Node's
 * sockets) do not print passwords today, but Herald never relies on that:
 * whatever leaves a package or reaches a logger goes through a Redactor.
 */

/** What a secret is replaced with. */
export const REDACTED = '***';

export interface Redactor {
  /** `text` with every known secret, plain or URL-encoded, replaced by `***`. */
  text(text: string): string;
  /**
   * A fresh Error, safe to log or throw: the same `name`, the message (prefixed
   * with `context` when given) and the stack with every secret masked, and a
   * string or numeric `code` (e.g. `ECONNREFUSED`). Nothing else is copied: no
   * `cause`, no own properties such as ioredis's `command` (which holds the
   * arguments of a failed AUTH — the password — or of a failed PUBLISH — the
   * payload).
   */
  error(thrown: unknown, context?: string): Error;
}

/**
 * A Redactor for the given secrets (passwords, tokens). Empty and missing
 * values are ignored; each secret is also masked in its URL-encoded form.
 */
export function createRedactor(secrets: Iterable<string | null | undefined>): Redactor {
  const set = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length === 0) continue;
    set.add(s);
    set.add(encodeURIComponent(s));
  }
  // Longest first, so a secret that contains another is masked whole.
  const values = [...set].sort((a, b) => b.length - a.length);

  const text = (input: string): string => {
    let out = input;
    for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  };

  const error = (thrown: unknown, context?: string): Error => {
    const source = thrown instanceof Error ? thrown : new Error(String(thrown));
    const copy = new Error(text(context ? `${context}: ${source.message}` : source.message));
    copy.name = source.name;
    copy.stack = source.stack === undefined ? undefined : text(source.stack);
    const code = (source as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') (copy as Error & { code?: unknown }).code = code;
    return copy;
  };

  return { text, error };
}

/**
 * `scheme://user:***@host:port/...` — a URL safe to log, whether or not its password is
 * known. The password runs from the first `:` after the scheme to the last `@` in the URL, so
 * a password holding `/`, `@`, `:`, `#`, `?` or percent-encoding (written raw, as users do) is
 * hidden whole. A URL whose path holds an `@` has more hidden than the password: never less.
 */
export function redactUrl(url: string): string {
  const scheme = url.indexOf('://');
  const start = scheme === -1 ? 0 : scheme + 3;
  const at = url.lastIndexOf('@');
  if (at < start) return url;
  // A user name cannot hold a raw `:`, so the first one after the scheme ends it.
  const colon = url.indexOf(':', start);
  if (colon === -1 || colon > at) return url;
  return `${url.slice(0, colon + 1)}${REDACTED}${url.slice(at)}`;
}
