import type { RetryStrategy } from '../retry/retry-strategy.js';
import { readBool, readEnum, readInt, readString, type Env } from './env.js';

/**
 * @deprecated Core does not know the transports: `EVENT_BUS_TRANSPORT` is a name the
 * application maps to a package (see `loadEventConfig`'s `transports`). Use `string`.
 */
export type EventBusTransport = string;
/** @deprecated Core does not know the stores: `EVENT_STORE` is a name the application maps to a package. Use `string`. */
export type EventStoreKind = string;

export interface EventConfig {
  retry: RetryStrategy;
  deadLetterEnabled: boolean;
  trackingEnabled: boolean;
  /** EVENT_BUS_TRANSPORT, default `memory`: a name the application's composition root maps to a package. */
  transport: string;
  /** EVENT_STORE, default `memory`: a name the application's composition root maps to a package. */
  store: string;
}

export interface LoadEventConfigOptions {
  /** The EVENT_BUS_TRANSPORT names the application knows; another is a ConfigError. Default: any name. */
  transports?: readonly string[];
  /** The EVENT_STORE names the application knows; another is a ConfigError. Default: any name. */
  stores?: readonly string[];
}

/**
 * Reads the EVENT_* variables (apps/demo/.env.example lists them). Defaults: 3 attempts, 1000 ms
 * exponential backoff capped at 30 s, dead letters and tracking on, transport and store
 * `memory`. Which package a transport or store name stands for is the application's
 * choice: pass the names it knows to have others refused. A bad value throws
 * ConfigError naming the variable.
 */
export function loadEventConfig(env: Env = process.env, options: LoadEventConfigOptions = {}): EventConfig {
  const deadLetterEnabled = readBool(env, 'EVENT_DEAD_LETTER_ENABLED', true);
  const retry: RetryStrategy = {
    maxAttempts: readInt(env, 'EVENT_RETRY_MAX_ATTEMPTS', 3, { min: 1, max: 100 }),
    backoff: {
      type: readEnum(env, 'EVENT_RETRY_BACKOFF', ['fixed', 'exponential'] as const, 'exponential'),
      delay: readInt(env, 'EVENT_RETRY_DELAY', 1000, { min: 0, max: 3_600_000 }),
      maxDelay: readInt(env, 'EVENT_RETRY_MAX_DELAY', 30_000, { min: 0, max: 86_400_000 }),
    },
    deadLetter: { enabled: deadLetterEnabled },
  };
  return {
    retry,
    deadLetterEnabled,
    trackingEnabled: readBool(env, 'EVENT_TRACKING_ENABLED', true),
    transport: readName(env, 'EVENT_BUS_TRANSPORT', options.transports),
    store: readName(env, 'EVENT_STORE', options.stores),
  };
}

function readName(env: Env, name: string, known: readonly string[] | undefined): string {
  return known === undefined ? readString(env, name, 'memory')!.trim() : readEnum(env, name, known, 'memory');
}
