import type { Logger } from '@herald/core';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function isLogLevel(value: string): value is LogLevel {
  return value in ORDER;
}

/**
 * A pino-compatible logger writing one JSON line per entry to a stream
 * (stderr by default, so stdout stays the demo's output). Fields first,
 * message second; callers never pass payloads above debug.
 */
export function createLogger(
  level: LogLevel,
  stream: { write(chunk: string): unknown } = process.stderr,
  base: Record<string, unknown> = {},
): Logger {
  const threshold = ORDER[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>) =>
    ORDER[lvl] < threshold
      ? () => {}
      : (fields: Record<string, unknown>, message: string) => {
          stream.write(`${JSON.stringify({ level: lvl, time: new Date().toISOString(), ...base, ...fields, msg: message }, replacer)}\n`);
        };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
