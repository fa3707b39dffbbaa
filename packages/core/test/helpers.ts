import { expect } from 'vitest';
import { createDomainEvent, ValidationError, type DomainEvent, type Logger } from '../src/index.js';

/** The `field` of the ValidationError `fn` throws; fails the test when it throws something else or nothing. */
export function validationField(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/** Resolves once `condition()` is true; fails with `what` after `timeoutMs`. Checks after every macrotask. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}

/** Lets every queued microtask and one macrotask run (used only to assert that something has NOT happened). */
export function flush(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** A promise with its resolve/reject exposed. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Tracks whether a promise has settled, without awaiting it. */
export function track<T>(promise: Promise<T>) {
  const state = { settled: false, value: undefined as T | undefined, error: undefined as unknown };
  promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

export function domainEvent(overrides: Partial<DomainEvent> & { type?: string } = {}): DomainEvent {
  const { type = 'gamifier.points.awarded', ...rest } = overrides;
  return {
    ...createDomainEvent({
      type,
      aggregateId: 'player-1',
      aggregateType: 'player',
      data: { points: 10 },
      metadata: { source: 'test', environment: 'test' },
    }),
    ...rest,
  };
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that records every line. */
export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (fields: Record<string, unknown>, message: string) => {
    lines.push({ level, fields, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
