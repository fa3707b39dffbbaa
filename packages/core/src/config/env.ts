import { ConfigError } from '../errors.js';

export type Env = Record<string, string | undefined>;

/**
 * Readers for environment variables, shared by every package's config loader
 * so a bad value is always a ConfigError naming the variable. Values that may
 * be secrets are never echoed back.
 */
export function readString(env: Env, name: string, fallback?: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

export function readInt(
  env: Env,
  name: string,
  fallback: number,
  bounds: { min?: number; max?: number } = {},
): number {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer (got ${JSON.stringify(raw)})`);
  const n = Number(raw.trim());
  if (bounds.min !== undefined && n < bounds.min) throw new ConfigError(name, `must be ≥ ${bounds.min} (got ${n})`);
  if (bounds.max !== undefined && n > bounds.max) throw new ConfigError(name, `must be ≤ ${bounds.max} (got ${n})`);
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
  throw new ConfigError(name, `must be true or false (got ${JSON.stringify(raw)})`);
}

export function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  const v = raw.trim() as T;
  if (!allowed.includes(v)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(raw)})`);
  }
  return v;
}

/** A value that must not appear in messages: present/absent is all we say about it. */
export function readSecret(env: Env, name: string): string | undefined {
  return readString(env, name);
}
