import { ConfigError } from '../errors.js';
import { expectedUrl, parseServerUrl } from './server-url.js';

export type Env = Record<string, string | undefined>;

/** Said instead of the value, so a reader knows it was left out on purpose. */
const NOT_SHOWN = ' (the value is not shown: it may hold a secret)';

/**
 * Readers for environment variables, shared by every package's config loader
 * so a bad value is always a ConfigError naming the variable. No message echoes
 * a value: a variable meant for a port may hold a URL with a password in it
 * (a value pasted into the wrong variable), and errors end up in logs.
 */
export function readString(env: Env, name: string, fallback?: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

/**
 * A host name or IP address. A URL, credentials or a path pasted here would
 * otherwise reach connection errors and logs verbatim (the password with them).
 */
export function readHost(env: Env, name: string, fallback: string): string {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  const host = raw.trim();
  if (host === '' || /[\s/@]/.test(host)) {
    throw new ConfigError(name, `must be a host name or IP address, not a URL${NOT_SHOWN}`);
  }
  return host;
}

export function readInt(
  env: Env,
  name: string,
  fallback: number,
  bounds: { min?: number; max?: number } = {},
): number {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer${NOT_SHOWN}`);
  const n = Number(raw.trim());
  // Past 2^53 a number is silently rounded: say so rather than use another value.
  if (!Number.isSafeInteger(n)) throw new ConfigError(name, `is too large to be read exactly${NOT_SHOWN}`);
  if (bounds.min !== undefined && n < bounds.min) throw new ConfigError(name, `must be ≥ ${bounds.min}${NOT_SHOWN}`);
  if (bounds.max !== undefined && n > bounds.max) throw new ConfigError(name, `must be ≤ ${bounds.max}${NOT_SHOWN}`);
  return n;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new ConfigError(name, `must be true or false (or 1/0, yes/no, on/off)${NOT_SHOWN}`);
}

export function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  const v = raw.trim() as T;
  if (!allowed.includes(v)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}${NOT_SHOWN}`);
  }
  return v;
}

/** A value that must not appear in messages: present/absent is all we say about it. */
export function readSecret(env: Env, name: string): string | undefined {
  return readString(env, name);
}

/**
 * A server URL with one of `schemes` (e.g. `['amqp', 'amqps']`), returned as
 * given; unset → undefined. Checked with the same parser the transports apply
 * to their `url` option, so a value read here is one they accept.
 */
export function readUrl(env: Env, name: string, schemes: readonly string[]): string | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  try {
    parseServerUrl(raw.trim(), name, schemes);
  } catch {
    throw new ConfigError(name, `${expectedUrl(schemes)}${NOT_SHOWN}`);
  }
  return raw.trim();
}
