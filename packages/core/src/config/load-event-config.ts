import type { RetryStrategy } from '../retry/retry-strategy.js';
import { readBool, readEnum, readInt, type Env } from './env.js';

export type EventBusTransport = 'memory' | 'redis-pubsub' | 'redis-streams' | 'rabbitmq';
export type EventStoreKind = 'memory' | 'redis';

export interface EventConfig {
  retry: RetryStrategy;
  deadLetterEnabled: boolean;
  trackingEnabled: boolean;
  transport: EventBusTransport;
  store: EventStoreKind;
}

/**
 * Reads the EVENT_* variables (apps/demo/.env.example lists them). Defaults: 3 attempts, 1000 ms
 * exponential backoff capped at 30 s, dead letters and tracking on, in-memory
 * bus and store. A bad value throws ConfigError naming the variable.
 */
export function loadEventConfig(env: Env = process.env): EventConfig {
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
    transport: readEnum(env, 'EVENT_BUS_TRANSPORT', ['memory', 'redis-pubsub', 'redis-streams', 'rabbitmq'] as const, 'memory'),
    store: readEnum(env, 'EVENT_STORE', ['memory', 'redis'] as const, 'memory'),
  };
}
