import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BusClosedError } from '../src/index.js';
import {
  CLOSE_OVERRUN_MS,
  closeDeadline,
  closeReserveMs,
  HandlerSlots,
  stopHandlers,
  unsubscribeDeadline,
  type HandlerDeadline,
} from '../src/transport.js';
import { deferred, recordingLogger } from './helpers.js';

const closeTimeoutMs = 2_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** One running handler that returns when `finish` is called, or on abort when `obeysAbort`. */
function runningHandler(obeysAbort: boolean) {
  const done = deferred();
  const abort = new AbortController();
  let abortedAt: number | undefined;
  abort.signal.addEventListener('abort', () => {
    abortedAt = performance.now();
    if (obeysAbort) done.resolve();
  });
  const logger = recordingLogger();
  let inFlight = 1;
  void done.promise.then(() => {
    inFlight = 0;
  });
  const handlers = { idle: done.promise, abort, inFlight: () => inFlight, logger, fields: { transport: 'test' }, closeTimeoutMs };
  return { handlers, finish: () => done.resolve(), abortedAt: () => abortedAt, logger, abort };
}

/** Runs stopHandlers to its end on fake time; returns when it resolved (ms after the start) and what. */
async function stopOnFakeTime(h: ReturnType<typeof runningHandler>['handlers'], until: HandlerDeadline, start: number) {
  let resolvedAt: number | undefined;
  let result: boolean | undefined;
  void stopHandlers(h, until).then((r) => {
    resolvedAt = performance.now() - start;
    result = r;
  });
  await vi.advanceTimersByTimeAsync(10_000);
  return { resolvedAt, result };
}

describe('stopHandlers: the one close-timeout wait', () => {
  it('handlers that finish in time are neither aborted nor reported', async () => {
    // Given
    const h = runningHandler(false);
    const start = performance.now();
    setTimeout(h.finish, 300);
    // When
    const { resolvedAt, result } = await stopOnFakeTime(h.handlers, closeDeadline(closeTimeoutMs, start), start);
    // Then
    expect(result).toBe(true);
    expect(resolvedAt).toBe(300);
    expect(h.abortedAt()).toBeUndefined();
    expect(h.logger.lines).toEqual([]);
  });

  it('close: aborts at closeTimeoutMs less the reserve and never waits past the deadline', async () => {
    // Given: a handler that ignores its signal
    const h = runningHandler(false);
    const start = performance.now();
    // When
    const { resolvedAt, result } = await stopOnFakeTime(h.handlers, closeDeadline(closeTimeoutMs, start), start);
    // Then
    expect(result).toBe(false);
    expect(h.abortedAt()! - start).toBe(closeTimeoutMs - closeReserveMs(closeTimeoutMs));
    expect(h.abort.signal.reason).toBeInstanceOf(BusClosedError);
    expect(resolvedAt).toBe(closeTimeoutMs);
    expect(resolvedAt).toBeLessThan(closeTimeoutMs + CLOSE_OVERRUN_MS);
    expect(h.logger.lines.map((l) => [l.level, l.message, l.fields.inFlight, l.fields.transport])).toEqual([
      ['warn', 'handlers still running after the close timeout; aborting ctx.signal', 1, 'test'],
    ]);
  });

  it('close: a handler that returns on abort ends the wait at once', async () => {
    const h = runningHandler(true);
    const start = performance.now();
    const { resolvedAt } = await stopOnFakeTime(h.handlers, closeDeadline(closeTimeoutMs, start), start);
    expect(resolvedAt).toBe(closeTimeoutMs - closeReserveMs(closeTimeoutMs));
  });

  it('unsubscribe: the whole closeTimeoutMs, then up to 1 s after the abort', async () => {
    const h = runningHandler(false);
    const start = performance.now();
    const { resolvedAt } = await stopOnFakeTime(h.handlers, unsubscribeDeadline(closeTimeoutMs, start), start);
    expect(h.abortedAt()! - start).toBe(closeTimeoutMs);
    expect(resolvedAt).toBe(closeTimeoutMs + 1_000);
  });

  it('a deadline already past aborts at once', async () => {
    const h = runningHandler(false);
    const start = performance.now();
    const { resolvedAt } = await stopOnFakeTime(h.handlers, { handlersUntil: start - 1, deadline: start }, start);
    expect(h.abortedAt()).toBe(start);
    expect(resolvedAt).toBe(0);
  });
});

describe('HandlerSlots', () => {
  it('stop resolves at once when nothing runs, and when the last running handler returns', async () => {
    // Given
    const slots = new HandlerSlots();
    const report = { logger: recordingLogger(), fields: {}, closeTimeoutMs };
    await expect(slots.stop(closeDeadline(closeTimeoutMs), report)).resolves.toBe(true);
    slots.take();
    slots.take();
    let stopped: boolean | undefined;
    void slots.stop(closeDeadline(closeTimeoutMs), report).then((r) => {
      stopped = r;
    });
    // When
    slots.release();
    await vi.advanceTimersByTimeAsync(0);
    const afterOne = stopped;
    slots.release();
    await vi.advanceTimersByTimeAsync(0);
    // Then
    expect(afterOne).toBeUndefined();
    expect(stopped).toBe(true);
    expect(slots.inFlight).toBe(0);
    expect(slots.abort.signal.aborted).toBe(false);
  });

  it('a handler still running at the deadline has its signal aborted', async () => {
    const slots = new HandlerSlots();
    slots.take();
    const start = performance.now();
    let resolvedAt: number | undefined;
    void slots.stop(closeDeadline(closeTimeoutMs, start), { logger: recordingLogger(), fields: {}, closeTimeoutMs }).then(() => {
      resolvedAt = performance.now() - start;
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(slots.abort.signal.aborted).toBe(true);
    expect(resolvedAt).toBe(closeTimeoutMs);
  });
});
