import { describe, expect, it, vi } from 'vitest';
import {
  type BaseEvent,
  DecodeError,
  type EventBusMiddleware,
  type EventCodec,
  type EventHandler,
  type HandleOutcome,
  type HandlerContext,
  jsonCodec,
  type RetryStrategy,
  ValidationError,
} from '../src/index.js';
import { DispatchPipeline, normalizeHandler } from '../src/transport.js';
import { domainEvent, recordingLogger, validationField } from './helpers.js';

const never = new AbortController().signal;
const retry = (maxAttempts: number, delay = 10, type: 'fixed' | 'exponential' = 'fixed', deadLetter = true): RetryStrategy => ({
  maxAttempts,
  backoff: { type, delay },
  deadLetter: { enabled: deadLetter },
});

function failing(message = 'boom'): EventHandler {
  return {
    handle: () => {
      throw new Error(message);
    },
  };
}

describe('DispatchPipeline.createTarget', () => {
  const pipeline = new DispatchPipeline();

  it('builds a frozen subscription with defaults', () => {
    // Given / When
    const target = pipeline.createTarget('order.*', async () => {});
    // Then
    expect(target.subscription).toMatchObject({ pattern: 'order.*', concurrency: 1 });
    expect(target.subscription.id).toMatch(/^[0-9a-f-]{36}$/);
    expect('group' in target.subscription).toBe(false);
    expect(Object.isFrozen(target.subscription)).toBe(true);
    expect(target.retry).toBe(pipeline.defaultRetry);
    expect(target.matches('order.placed')).toBe(true);
    expect(target.matches('order.placed.v2')).toBe(false);
  });

  it('uses the handler retry strategy and the group and concurrency given', () => {
    // Given
    const strategy = retry(5);
    // When
    const target = pipeline.createTarget('a.b', { handle: async () => {}, retryStrategy: strategy }, { group: 'g', concurrency: 4 });
    // Then
    expect(target.retry).toBe(strategy);
    expect(target.subscription).toMatchObject({ group: 'g', concurrency: 4 });
  });

  it('names each bad argument', () => {
    const field = validationField;
    expect(field(() => pipeline.createTarget('a..b', async () => {}))).toBe('pattern');
    expect(field(() => pipeline.createTarget('a.b', {} as EventHandler))).toBe('handler');
    expect(field(() => pipeline.createTarget('a.b', null as unknown as EventHandler))).toBe('handler');
    expect(field(() => pipeline.createTarget('a.b', async () => {}, { concurrency: 0 }))).toBe('options.concurrency');
    expect(field(() => pipeline.createTarget('a.b', async () => {}, { concurrency: 1.5 }))).toBe('options.concurrency');
    expect(field(() => pipeline.createTarget('a.b', async () => {}, { group: '' }))).toBe('options.group');
    expect(
      field(() => pipeline.createTarget('a.b', { handle: async () => {}, retryStrategy: { maxAttempts: 0, backoff: { type: 'fixed', delay: 1 } } })),
    ).toBe('retryStrategy.maxAttempts');
  });

  it('rejects an invalid bus-wide retry strategy at construction', () => {
    expect(() => new DispatchPipeline({ retry: { maxAttempts: 0, backoff: { type: 'fixed', delay: 1 } } })).toThrow(/retry\.maxAttempts/);
  });

  it('normalizeHandler wraps a function and keeps an object handler', () => {
    const fn = async () => {};
    const obj: EventHandler = { handle: fn };
    expect(normalizeHandler(fn)).toEqual({ handle: fn });
    expect(normalizeHandler(obj)).toBe(obj);
  });

  it('calls object handler methods with the handler as `this`', async () => {
    // Given
    const handler = {
      seen: [] as string[],
      prefix: 'p:',
      async handle(event: BaseEvent) {
        this.seen.push(this.prefix + event.type);
      },
      filter(this: { prefix: string }) {
        return this.prefix === 'p:';
      },
    };
    const target = pipeline.createTarget('a.b', handler);
    // When
    const outcome = await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    // Then
    expect(outcome.status).toBe('success');
    expect(handler.seen).toEqual(['p:a.b']);
  });
});

describe('DispatchPipeline.attempt', () => {
  it('success: calls the handler once with the event and a 1-based context', async () => {
    // Given
    const pipeline = new DispatchPipeline();
    const calls: Array<[BaseEvent, HandlerContext]> = [];
    const target = pipeline.createTarget('a.b', { handle: async (e, ctx) => void calls.push([e, ctx]), retryStrategy: retry(4) });
    const event = domainEvent({ type: 'a.b' });
    const signal = new AbortController().signal;
    // When
    const outcome = await pipeline.attempt(target, event, 1, signal);
    // Then
    expect(outcome).toEqual({ status: 'success' });
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBe(event);
    expect(calls[0]![1]).toEqual({ attempt: 1, maxAttempts: 4, subscription: target.subscription, signal });
  });

  it('accepts a synchronous handler', async () => {
    const pipeline = new DispatchPipeline();
    let called = 0;
    const target = pipeline.createTarget('a.b', () => {
      called++;
    });
    await expect(pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never)).resolves.toEqual({ status: 'success' });
    expect(called).toBe(1);
  });

  it('filtered: filter false settles without calling the handler', async () => {
    // Given
    const pipeline = new DispatchPipeline();
    const handle = vi.fn(async () => {});
    const target = pipeline.createTarget('a.b', { handle, filter: () => false });
    // When
    const outcome = await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    // Then
    expect(outcome).toEqual({ status: 'filtered' });
    expect(handle).not.toHaveBeenCalled();
  });

  it('a throwing filter counts as a failed attempt', async () => {
    // Given
    const pipeline = new DispatchPipeline();
    const handle = vi.fn(async () => {});
    const target = pipeline.createTarget('a.b', {
      handle,
      filter: () => {
        throw new Error('filter broke');
      },
      retryStrategy: retry(2, 30),
    });
    // When
    const outcome = await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    // Then
    expect(outcome).toMatchObject({ status: 'retry', delayMs: 30 });
    expect((outcome as { error: Error }).error.message).toBe('filter broke');
    expect(handle).not.toHaveBeenCalled();
  });

  it('retry: a failure before the last attempt asks for another after the backoff delay', async () => {
    // Given
    const pipeline = new DispatchPipeline();
    const target = pipeline.createTarget('a.b', { ...failing('nope'), retryStrategy: retry(4, 100, 'exponential') });
    const event = domainEvent({ type: 'a.b' });
    // When
    const first = await pipeline.attempt(target, event, 1, never);
    const third = await pipeline.attempt(target, event, 3, never);
    // Then
    expect(first).toMatchObject({ status: 'retry', delayMs: 100 });
    expect(third).toMatchObject({ status: 'retry', delayMs: 400 });
    expect((first as { error: Error }).error.message).toBe('nope');
  });

  it('a rejected promise is a failure like a throw, and non-Errors become Errors', async () => {
    // Given
    const pipeline = new DispatchPipeline();
    const target = pipeline.createTarget('a.b', {
      handle: () => Promise.reject('just a string'),
      retryStrategy: retry(1),
    });
    // When
    const outcome = await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    // Then
    expect(outcome.status).toBe('dead_letter');
    const { error } = outcome as { error: Error };
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('just a string');
  });

  it('dead_letter: the last failure calls errorHandler once, then builds the record', async () => {
    // Given
    const pipeline = new DispatchPipeline();
    const errorHandler = vi.fn(async () => {});
    const target = pipeline.createTarget(
      'order.*',
      { ...failing('still broken'), errorHandler, retryStrategy: retry(3) },
      { group: 'billing' },
    );
    const event = domainEvent({ type: 'order.placed' });
    // When
    const outcome = await pipeline.attempt(target, event, 3, never);
    // Then
    expect(outcome.status).toBe('dead_letter');
    const { record, error } = outcome as Extract<typeof outcome, { status: 'dead_letter' }>;
    expect(errorHandler).toHaveBeenCalledTimes(1);
    expect(errorHandler).toHaveBeenCalledWith(error, event);
    expect(record).toMatchObject({
      event,
      attempts: 3,
      pattern: 'order.*',
      group: 'billing',
      error: { name: 'Error', message: 'still broken' },
    });
    expect(record.error.stack).toContain('still broken');
    expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.failedAt).toBeInstanceOf(Date);
    expect('raw' in record).toBe(false);
  });

  it('does not call errorHandler before the last attempt', async () => {
    const pipeline = new DispatchPipeline();
    const errorHandler = vi.fn();
    const target = pipeline.createTarget('a.b', { ...failing(), errorHandler, retryStrategy: retry(2) });
    await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    expect(errorHandler).not.toHaveBeenCalled();
  });

  it('failed: with dead-lettering disabled the event is dropped after errorHandler, and logged', async () => {
    // Given
    const logger = recordingLogger();
    const pipeline = new DispatchPipeline({ logger });
    const errorHandler = vi.fn();
    const target = pipeline.createTarget('a.b', { ...failing(), errorHandler, retryStrategy: retry(1, 10, 'fixed', false) });
    // When
    const outcome = await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    // Then
    expect(outcome.status).toBe('failed');
    expect(errorHandler).toHaveBeenCalledTimes(1);
    expect(logger.lines.some((l) => l.level === 'error' && /dead-lettering is disabled/.test(l.message))).toBe(true);
  });

  it('an errorHandler that throws is logged and the event is still dead-lettered', async () => {
    // Given
    const logger = recordingLogger();
    const pipeline = new DispatchPipeline({ logger });
    const target = pipeline.createTarget('a.b', {
      ...failing('handler'),
      errorHandler: async () => {
        throw new Error('errorHandler broke too');
      },
      retryStrategy: retry(1),
    });
    // When
    const outcome = await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    // Then
    expect(outcome.status).toBe('dead_letter');
    expect((outcome as { error: Error }).error.message).toBe('handler');
    const line = logger.lines.find((l) => /errorHandler threw/.test(l.message));
    expect(line?.fields.error).toBe('errorHandler broke too');
  });

  it('never puts the payload in logs', async () => {
    // Given
    const logger = recordingLogger();
    const pipeline = new DispatchPipeline({ logger });
    const target = pipeline.createTarget('a.b', { ...failing(), retryStrategy: retry(2) });
    const event = domainEvent({ type: 'a.b', data: { secret: 'do-not-log-me' } } as never);
    // When
    await pipeline.attempt(target, event, 1, never);
    await pipeline.attempt(target, event, 2, never);
    // Then
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(logger.lines)).not.toContain('do-not-log-me');
    expect(logger.lines.every((l) => l.fields.eventId === event.id)).toBe(true);
  });
});

describe('DispatchPipeline.startAttempt', () => {
  it('calls done exactly once, never synchronously, for every kind of outcome', async () => {
    // Given
    const pipeline = new DispatchPipeline();
    const targets = [
      pipeline.createTarget('a.b', async () => {}),
      pipeline.createTarget('a.b', () => {}),
      pipeline.createTarget('a.b', { handle: async () => {}, filter: () => false }),
      pipeline.createTarget('a.b', { ...failing(), retryStrategy: retry(2) }),
      pipeline.createTarget('a.b', { ...failing(), retryStrategy: retry(1) }),
    ];
    for (const target of targets) {
      const outcomes: string[] = [];
      // When
      pipeline.startAttempt(target, domainEvent({ type: 'a.b' }), 1, never, (o) => outcomes.push(o.status));
      // Then
      expect(outcomes).toEqual([]);
      await vi.waitFor(() => expect(outcomes).toHaveLength(1), { timeout: 1_000 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(outcomes).toHaveLength(1);
    }
  });

  it('a middleware that throws synchronously is a failed attempt, not a crash', async () => {
    // Given
    const pipeline = new DispatchPipeline({
      middleware: [
        {
          handle: () => {
            throw new Error('sync middleware bug');
          },
        },
      ],
    });
    const handle = vi.fn();
    const target = pipeline.createTarget('a.b', { handle, retryStrategy: retry(1) });
    // When
    const outcome = await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    // Then
    expect(outcome.status).toBe('dead_letter');
    expect((outcome as { error: Error }).error.message).toBe('sync middleware bug');
    expect(handle).not.toHaveBeenCalled();
  });

  it('accepts middleware that returns no promise or a foreign thenable', async () => {
    // Given
    const seen: string[] = [];
    const pipeline = new DispatchPipeline({
      middleware: [
        // Plain JavaScript middleware, not async: calls next and returns nothing.
        { handle: ((_e: BaseEvent, _c: HandlerContext, next: () => Promise<void>) => void next()) as never },
        // A thenable that is not a native promise.
        {
          handle: ((_e: BaseEvent, _c: HandlerContext, next: () => Promise<void>) => {
            const inner = next();
            // biome-ignore lint/suspicious/noThenProperty: a foreign thenable is exactly what is under test
            return { then: (ok: () => void, ko: (e: unknown) => void) => inner.then(ok, ko) };
          }) as never,
        },
      ],
    });
    const target = pipeline.createTarget('a.b', async (e) => void seen.push(e.type));
    // When
    const outcome = await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    // Then
    expect(outcome.status).toBe('success');
    expect(seen).toEqual(['a.b']);
  });

  it('a logger that throws changes nothing: retries, dead letters and decode go ahead', async () => {
    // Given
    const boom = () => {
      throw new Error('logger down');
    };
    const pipeline = new DispatchPipeline({ logger: { debug: boom, info: boom, warn: boom, error: boom } });
    const target = pipeline.createTarget('a.b', {
      ...failing(),
      errorHandler: () => Promise.reject(new Error('errorHandler down')),
      retryStrategy: retry(2, 0),
    });
    // When
    const outcome = await pipeline.deliver(target, domainEvent({ type: 'a.b' }), never);
    const decoded = pipeline.decode('not json', { pattern: '#' });
    // Then
    expect(outcome.status).toBe('dead_letter');
    expect(decoded.deadLetter?.error.name).toBe('DecodeError');
  });
});

describe('DispatchPipeline middleware', () => {
  function tracing(name: string, log: string[]): EventBusMiddleware {
    return {
      name,
      async publish(event, next) {
        log.push(`${name}:publish:before`);
        await next(event);
        log.push(`${name}:publish:after`);
      },
      async handle(_event, _ctx, next) {
        log.push(`${name}:handle:before`);
        await next();
        log.push(`${name}:handle:after`);
      },
    };
  }

  it('publish: validates first, then runs middleware in order, first outermost', async () => {
    // Given
    const log: string[] = [];
    const pipeline = new DispatchPipeline({ middleware: [tracing('A', log), tracing('B', log)] });
    const publish = pipeline.composePublish(async () => void log.push('send'));
    // When
    await publish(domainEvent());
    // Then
    expect(log).toEqual(['A:publish:before', 'B:publish:before', 'send', 'B:publish:after', 'A:publish:after']);
  });

  it('publish: an invalid event throws ValidationError before any middleware or send', () => {
    // Given
    const log: string[] = [];
    const pipeline = new DispatchPipeline({ middleware: [tracing('A', log)] });
    const send = vi.fn(async () => {});
    const publish = pipeline.composePublish(send);
    // When / Then
    expect(() => publish({ ...domainEvent(), id: '' })).toThrow(ValidationError);
    expect(log).toEqual([]);
    expect(send).not.toHaveBeenCalled();
  });

  it('publish: middleware may replace the event passed on', async () => {
    // Given
    const sent: BaseEvent[] = [];
    const pipeline = new DispatchPipeline({
      middleware: [{ publish: (event, next) => next({ ...event, metadata: { ...event.metadata, traceparent: 'tp' } }) }],
    });
    // When
    await pipeline.composePublish(async (e) => void sent.push(e))(domainEvent());
    // Then
    expect(sent[0]?.metadata.traceparent).toBe('tp');
  });

  it('handle: runs middleware in order around the handler, first outermost', async () => {
    // Given
    const log: string[] = [];
    const pipeline = new DispatchPipeline({ middleware: [tracing('A', log), {}, tracing('B', log)] });
    const target = pipeline.createTarget('a.b', async () => void log.push('handler'));
    // When
    await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    // Then
    expect(log).toEqual(['A:handle:before', 'B:handle:before', 'handler', 'B:handle:after', 'A:handle:after']);
  });

  it('handle: middleware sees the context and its error counts as a failed attempt', async () => {
    // Given
    const contexts: HandlerContext[] = [];
    const pipeline = new DispatchPipeline({
      middleware: [
        {
          async handle(_event, ctx, next) {
            contexts.push(ctx);
            await next();
            throw new Error('middleware failed after the handler');
          },
        },
      ],
    });
    const target = pipeline.createTarget('a.b', { handle: async () => {}, retryStrategy: retry(2) });
    // When
    const outcome = await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    // Then
    expect(outcome.status).toBe('retry');
    expect(contexts[0]).toMatchObject({ attempt: 1, maxAttempts: 2 });
  });

  it('onOutcome hears every status with attempt, maxAttempts, duration and error', async () => {
    // Given
    const heard: Array<[string, HandleOutcome]> = [];
    const pipeline = new DispatchPipeline({ middleware: [{ onOutcome: (e, o) => void heard.push([e.type, o]) }] });
    const ok = pipeline.createTarget('a.ok', async () => {});
    const skip = pipeline.createTarget('a.skip', { handle: async () => {}, filter: () => false });
    const dl = pipeline.createTarget('a.dl', { ...failing('dl'), retryStrategy: retry(2) });
    const drop = pipeline.createTarget('a.drop', { ...failing('drop'), retryStrategy: retry(1, 10, 'fixed', false) });
    // When
    await pipeline.attempt(ok, domainEvent({ type: 'a.ok' }), 1, never);
    await pipeline.attempt(skip, domainEvent({ type: 'a.skip' }), 1, never);
    await pipeline.attempt(dl, domainEvent({ type: 'a.dl' }), 1, never);
    await pipeline.attempt(dl, domainEvent({ type: 'a.dl' }), 2, never);
    await pipeline.attempt(drop, domainEvent({ type: 'a.drop' }), 1, never);
    // Then
    expect(heard.map(([type, o]) => [type, o.status, o.attempt, o.maxAttempts])).toEqual([
      ['a.ok', 'success', 1, 3],
      ['a.skip', 'filtered', 1, 3],
      ['a.dl', 'retrying', 1, 2],
      ['a.dl', 'dead_lettered', 2, 2],
      ['a.drop', 'failed', 1, 1],
    ]);
    for (const [, o] of heard) expect(o.durationMs).toBeGreaterThanOrEqual(0);
    expect(heard[0]![1].error).toBeUndefined();
    expect(heard[2]![1].error?.message).toBe('dl');
    expect(heard[4]![1].error?.message).toBe('drop');
    expect(heard[0]![1].subscription).toBe(ok.subscription);
  });

  it('an onOutcome that throws is logged and changes nothing', async () => {
    // Given
    const logger = recordingLogger();
    const pipeline = new DispatchPipeline({
      logger,
      middleware: [
        {
          name: 'broken-metrics',
          onOutcome: () => {
            throw new Error('metrics down');
          },
        },
      ],
    });
    const target = pipeline.createTarget('a.b', async () => {});
    // When
    const outcome = await pipeline.attempt(target, domainEvent({ type: 'a.b' }), 1, never);
    // Then
    expect(outcome.status).toBe('success');
    expect(logger.lines.find((l) => /onOutcome threw/.test(l.message))?.fields).toMatchObject({ middleware: 'broken-metrics' });
  });
});

describe('DispatchPipeline.deliver', () => {
  it('retries with 1-based attempts until the handler succeeds', async () => {
    // Given
    const pipeline = new DispatchPipeline();
    const attempts: number[] = [];
    const target = pipeline.createTarget('a.b', {
      handle: async (_e, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new Error(`fail ${ctx.attempt}`);
      },
      retryStrategy: retry(5, 1),
    });
    // When
    const outcome = await pipeline.deliver(target, domainEvent({ type: 'a.b' }), never);
    // Then
    expect(outcome.status).toBe('success');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('ends in a dead letter after maxAttempts, having called errorHandler once', async () => {
    // Given
    const pipeline = new DispatchPipeline();
    const errorHandler = vi.fn();
    let calls = 0;
    const target = pipeline.createTarget('a.b', {
      handle: () => {
        calls++;
        throw new Error('always');
      },
      errorHandler,
      retryStrategy: retry(3, 1),
    });
    // When
    const outcome = await pipeline.deliver(target, domainEvent({ type: 'a.b' }), never);
    // Then
    expect(outcome.status).toBe('dead_letter');
    expect(calls).toBe(3);
    expect(errorHandler).toHaveBeenCalledTimes(1);
    expect((outcome as { record: { attempts: number } }).record.attempts).toBe(3);
  });

  it('starts from the attempt given', async () => {
    const pipeline = new DispatchPipeline();
    const attempts: number[] = [];
    const target = pipeline.createTarget('a.b', { handle: async (_e, ctx) => void attempts.push(ctx.attempt), retryStrategy: retry(5) });
    await pipeline.deliver(target, domainEvent({ type: 'a.b' }), never, never, 4);
    expect(attempts).toEqual([4]);
  });

  it('is interrupted when the retry signal aborts during a backoff wait', async () => {
    // Given
    const pipeline = new DispatchPipeline();
    const stop = new AbortController();
    let calls = 0;
    const target = pipeline.createTarget('a.b', {
      handle: () => {
        calls++;
        throw new Error('fail');
      },
      retryStrategy: retry(5, 60_000),
    });
    // When
    const delivering = pipeline.deliver(target, domainEvent({ type: 'a.b' }), never, stop.signal);
    stop.abort();
    const outcome = await delivering;
    // Then
    expect(outcome).toMatchObject({ status: 'interrupted', attempt: 2 });
    expect((outcome as { error: Error }).error.message).toBe('fail');
    expect(calls).toBe(1);
  });
});

describe('DispatchPipeline.decode', () => {
  it('decodes a sound message', () => {
    // Given
    const pipeline = new DispatchPipeline();
    const event = domainEvent();
    // When
    const decoded = pipeline.decode(jsonCodec.encode(event), { pattern: '#' });
    // Then
    expect(decoded.event).toEqual(event);
    expect(decoded.deadLetter).toBeUndefined();
  });

  it('turns a malformed message into a dead-letter record carrying the raw text', () => {
    // Given
    const logger = recordingLogger();
    const pipeline = new DispatchPipeline({ logger });
    // When
    const decoded = pipeline.decode(Buffer.from('{"not":"an event"'), { pattern: 'order.*', group: 'g' });
    // Then
    expect(decoded.event).toBeUndefined();
    expect(decoded.deadLetter).toMatchObject({
      raw: '{"not":"an event"',
      attempts: 0,
      pattern: 'order.*',
      group: 'g',
      error: { name: 'DecodeError' },
    });
    expect('event' in decoded.deadLetter!).toBe(false);
    expect(logger.lines.some((l) => l.level === 'warn' && l.fields.bytes === 17)).toBe(true);
  });

  it('turns a codec failure that is not a DecodeError into a DecodeError record too', () => {
    // Given
    const codec: EventCodec = {
      contentType: 'x/broken',
      encode: () => Buffer.alloc(0),
      decode: () => {
        throw new TypeError('codec bug');
      },
    };
    const pipeline = new DispatchPipeline({ codec });
    // When
    const decoded = pipeline.decode('whatever', { pattern: '#' });
    // Then
    expect(decoded.deadLetter?.error).toMatchObject({ name: 'DecodeError', message: 'codec bug' });
    expect(decoded.deadLetter?.raw).toBe('whatever');
    expect(decoded.deadLetter && 'group' in decoded.deadLetter).toBe(false);
  });

  it('uses the json codec by default', () => {
    expect(new DispatchPipeline().codec).toBe(jsonCodec);
    expect(new DecodeError('x', new Uint8Array()).code).toBe('DECODE');
  });
});
