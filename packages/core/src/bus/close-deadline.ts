import { BusClosedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { sleep } from '../retry/sleep.js';
import { InFlight } from './in-flight.js';

/**
 * How far past `closeTimeoutMs` a close may run: the dead-letter write under
 * way at the deadline (one batch, never started unless it is expected to end
 * by then) and the transport closing its sockets.
 */
export const CLOSE_OVERRUN_MS = 500;

/** The most aborted handlers get to return after their `ctx.signal` aborted. */
const ABORT_GRACE_MS = 1_000;

/**
 * The end of `closeTimeoutMs` kept for aborted handlers to return and for the
 * dead letters of what never ran to be written: a quarter, at most 1 s.
 * Handlers get the rest before `ctx.signal` is aborted.
 */
export function closeReserveMs(closeTimeoutMs: number): number {
  return Math.min(ABORT_GRACE_MS, Math.floor(closeTimeoutMs / 4));
}

/** Until when running handlers are waited for, as `performance.now()` times. */
export interface HandlerDeadline {
  /** Until then they may finish on their own; then their `ctx.signal` aborts. */
  handlersUntil: number;
  /** After the abort they get up to 1 s to return, never past this (the close's end). Absent: the whole second. */
  deadline?: number | undefined;
}

/**
 * `close()`'s one deadline, `closeTimeoutMs` from `start`: handlers get it less
 * `closeReserveMs`, the reserve is for the abort grace and the dead letters, so
 * a close resolves within `closeTimeoutMs` + `CLOSE_OVERRUN_MS`.
 */
export function closeDeadline(closeTimeoutMs: number, start = performance.now()): Required<HandlerDeadline> {
  const deadline = start + closeTimeoutMs;
  return { handlersUntil: deadline - closeReserveMs(closeTimeoutMs), deadline };
}

/** `unsubscribe()`: nothing else to fit in, so handlers get the whole `closeTimeoutMs`, then the abort grace. */
export function unsubscribeDeadline(closeTimeoutMs: number, start = performance.now()): HandlerDeadline {
  return { handlersUntil: start + closeTimeoutMs };
}

/** The handlers of one subscription that are still running, as `stopHandlers` needs them. */
export interface RunningHandlers {
  /** Resolves when the last one returned. */
  idle: Promise<void>;
  /** The controller behind their `ctx.signal`. */
  abort: AbortController;
  /** How many are running now (for the log line). */
  inFlight(): number;
  logger: Logger;
  /** Log fields naming the subscription (and transport). */
  fields: Record<string, unknown>;
  /** Reported in the log line. */
  closeTimeoutMs: number;
}

/**
 * Waits for running handlers by `until`: they may finish on their own until
 * `handlersUntil`; then a warning is logged, their `ctx.signal` aborts with
 * BusClosedError, and they get up to 1 s (never past `deadline`) to return.
 * Resolves true when they finished on their own. The one rule for every
 * transport's close and unsubscribe.
 */
export async function stopHandlers(handlers: RunningHandlers, until: HandlerDeadline): Promise<boolean> {
  if (await raceUntil(handlers.idle, until.handlersUntil)) return true;
  handlers.logger.warn(
    { ...handlers.fields, inFlight: handlers.inFlight(), timeoutMs: handlers.closeTimeoutMs },
    'handlers still running after the close timeout; aborting ctx.signal',
  );
  handlers.abort.abort(new BusClosedError('handler aborted: close timeout elapsed'));
  // A moment for aborted handlers to return, without keeping the process alive once they have.
  const graceEnd = performance.now() + ABORT_GRACE_MS;
  await raceUntil(handlers.idle, until.deadline === undefined ? graceEnd : Math.min(graceEnd, until.deadline));
  return false;
}

/**
 * The handlers of one subscription of a transport that hands deliveries to
 * them itself: how many run, the controller behind their `ctx.signal`, and the
 * wait for them when the subscription stops (`stopHandlers`' rule).
 */
export class HandlerSlots {
  /** The controller behind the handlers' `ctx.signal`. */
  readonly abort = new AbortController();
  private readonly running = new InFlight();

  /** Handlers running now. */
  get inFlight(): number {
    return this.running.size;
  }

  /** A handler started. */
  take(): void {
    this.running.enter();
  }

  /** A handler returned: its slot is free. */
  release(): void {
    this.running.leave();
  }

  /**
   * Waits for the running handlers by `until` (see `stopHandlers`); resolves
   * true when none was running or they all returned on their own.
   */
  stop(until: HandlerDeadline, report: Pick<RunningHandlers, 'logger' | 'fields' | 'closeTimeoutMs'>): Promise<boolean> {
    if (this.running.size === 0) return Promise.resolve(true);
    return stopHandlers({ ...report, idle: this.running.whenIdle(), abort: this.abort, inFlight: () => this.running.size }, until);
  }
}

/**
 * Waits for `work` or until the `performance.now()` time `until`, whichever
 * comes first; true when `work` settled first. Leaves no timer behind.
 */
export async function raceUntil(work: Promise<unknown>, until: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = work.then(
    () => true,
    () => true,
  );
  const won = await Promise.race([settled, sleep(Math.max(0, until - performance.now()), timer.signal).then(() => false)]);
  timer.abort();
  return won;
}
