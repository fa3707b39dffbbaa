import { TimeoutError } from '@herald/core';

export interface WaitUntilOptions {
  /** Give up after this many milliseconds. Default 5,000. */
  timeoutMs?: number;
  /** What is being waited for; named in the timeout error ("timed out waiting for …"). */
  message?: string;
  /** Milliseconds between checks. Default 5. */
  intervalMs?: number;
}

/**
 * Polls `condition` until it returns a truthy value and resolves with that
 * value; rejects with a TimeoutError naming `message` once `timeoutMs` has
 * passed. A condition that throws or hangs counts as "not yet"; the last error
 * is quoted in the timeout message. The bound holds even when a check hangs.
 */
export async function waitUntil<T>(
  condition: () => T | Promise<T>,
  options: WaitUntilOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 5;
  const what = options.message ?? 'a condition';
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const remaining = deadline - Date.now();
    const outcome = await check(condition, Math.max(remaining, 1));
    if (outcome.ok && outcome.value) return outcome.value as NonNullable<T>;
    if (!outcome.ok) lastError = outcome.error;
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? '' : ` (last check threw: ${describe(lastError)})`;
      throw new TimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await delay(Math.min(intervalMs, Math.max(deadline - Date.now(), 0)));
  }
}

type CheckOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

function check<T>(condition: () => T | Promise<T>, boundMs: number): Promise<CheckOutcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const bounded = new Promise<CheckOutcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: new Error('check did not settle in time') }), boundMs);
  });
  const run = (async (): Promise<CheckOutcome<T>> => {
    try {
      return { ok: true, value: await condition() };
    } catch (error) {
      return { ok: false, error };
    }
  })();
  return Promise.race([run, bounded]).finally(() => clearTimeout(timer));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
