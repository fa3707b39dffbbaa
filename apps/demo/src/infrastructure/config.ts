import { ConfigError, loadEventConfig, readBool, readInt, readString, type Env, type EventConfig } from '@herald/core';
import { STORE_NAMES, TRANSPORT_NAMES } from './compose.js';
import { isLogLevel, type LogLevel } from './logger.js';

export interface DemoConfig {
  /** EVENT_*: retries, dead letters, tracking, and the transport and store names compose.ts maps to packages. */
  events: EventConfig;
  /** PORT for `--serve`. Default 3000. */
  port: number;
  /** HOST the server listens on. Default 127.0.0.1 (0.0.0.0 for every interface, e.g. in a container). */
  host: string;
  /** GAMIFIER_PREFIX: Redis keys and RabbitMQ names start with it. Default "gamifier". */
  prefix: string;
  /** LOG_LEVEL: debug|info|warn|error|silent. */
  logLevel: LogLevel;
  /** NODE_ENV, stamped on every event as metadata.environment. Default "development". */
  environment: string;
  /** EVENT_TRACING_ENABLED: add OpenTelemetry tracing middleware. Default false. */
  tracingEnabled: boolean;
  /** NOTIFIER_FAILURE_RATE: share of level-up notifications whose first delivery fails. Default 0.1. */
  notifierFailureRate: number;
}

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** Reads the demo's environment; a bad value is a ConfigError naming the variable. */
export function loadDemoConfig(env: Env, defaults: { logLevel: LogLevel }): DemoConfig {
  const prefix = readString(env, 'GAMIFIER_PREFIX', 'gamifier')!;
  if (!PREFIX.test(prefix)) {
    throw new ConfigError('GAMIFIER_PREFIX', 'must be 1–64 letters, digits, "_", ".", ":" or "-"');
  }
  const logLevel = readString(env, 'LOG_LEVEL', defaults.logLevel)!;
  if (!isLogLevel(logLevel)) throw new ConfigError('LOG_LEVEL', 'must be one of debug, info, warn, error, silent');
  const rate = readString(env, 'NOTIFIER_FAILURE_RATE', '0.1')!;
  const notifierFailureRate = Number(rate);
  if (!/^\d*\.?\d+$/.test(rate.trim()) || notifierFailureRate > 1) {
    throw new ConfigError('NOTIFIER_FAILURE_RATE', 'must be a number from 0 to 1');
  }
  return {
    events: loadEventConfig(env, { transports: TRANSPORT_NAMES, stores: STORE_NAMES }),
    port: readInt(env, 'PORT', 3000, { min: 0, max: 65_535 }),
    host: readString(env, 'HOST', '127.0.0.1')!,
    prefix,
    logLevel,
    environment: readString(env, 'NODE_ENV', 'development')!,
    tracingEnabled: readBool(env, 'EVENT_TRACING_ENABLED', false),
    notifierFailureRate,
  };
}
