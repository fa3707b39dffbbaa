import { randomUUID } from 'node:crypto';
import { jsonCodec, type EventCodec } from '../codec/json-codec.js';
import { DecodeError, UpcastError, ValidationError, toError } from '../errors.js';
import type { BaseEvent } from '../events/types.js';
import { validateEvent, validateEventSize } from '../events/validate.js';
import { errorFields, eventLogFields, noopLogger, type Logger } from '../logger.js';
import { compilePattern } from '../pattern/pattern.js';
import {
  DEFAULT_RETRY_STRATEGY,
  backoffDelay,
  deadLetterEnabled,
  validateRetryStrategy,
  type RetryStrategy,
} from '../retry/retry-strategy.js';
import { sleep } from '../retry/sleep.js';
import type { Upcasters } from '../upcasting/upcasters.js';
import { wallClock } from './wall-clock.js';
import { createDeadLetterRecord } from './dead-letter-record.js';
import { composeHandle, composePublish, type InvokeFn, type PublishFn } from './middleware.js';
import type {
  DeadLetterRecord,
  EventBusMiddleware,
  EventHandler,
  HandleOutcome,
  HandleStatus,
  HandlerContext,
  HandlerFunction,
  SubscribeOptions,
  Subscription,
} from './types.js';

export interface DispatchPipelineOptions {
  retry?: RetryStrategy;
  middleware?: EventBusMiddleware[];
  logger?: Logger;
  codec?: EventCodec;
  /**
   * Brings every received event to its type's current schema before any handler
   * sees it (a failing or gapped chain dead-letters it), and stamps the current
   * schema version on published events that declare none.
   */
  upcasters?: Upcasters;
}

/** A subscription bound to its handler, retry strategy and middleware chain. Built once at subscribe. */
export interface DispatchTarget {
  readonly subscription: Subscription;
  readonly retry: RetryStrategy;
  readonly filter: ((event: BaseEvent) => boolean) | undefined;
  readonly errorHandler: ((error: Error, event: BaseEvent) => Promise<void> | void) | undefined;
  readonly invoke: InvokeFn;
  readonly matches: (type: string) => boolean;
}

export type AttemptOutcome =
  | { status: 'success' }
  | { status: 'filtered' }
  /** The attempt failed and another is due after `delayMs`. */
  | { status: 'retry'; error: Error; delayMs: number }
  /** Attempts exhausted; errorHandler was called; the transport must store `record`. */
  | { status: 'dead_letter'; error: Error; record: DeadLetterRecord }
  /** Attempts exhausted with dead-lettering disabled; errorHandler was called; logged. */
  | { status: 'failed'; error: Error };

export type DeliveryOutcome =
  | AttemptOutcome
  /** The retry wait was cut short by `retrySignal`; `attempt` is the next one due. */
  | { status: 'interrupted'; error: Error; attempt: number };

const SUCCESS: AttemptOutcome = Object.freeze({ status: 'success' });
const RESOLVED = Promise.resolve();
const FILTERED: AttemptOutcome = Object.freeze({ status: 'filtered' });
// The global `performance` is an accessor on globalThis in Node: read it once, not per attempt.
const clock = performance;

/**
 * The one place an event goes from bytes to a handler: decode, filter,
 * middleware, handle, retry decisions, errorHandler and the dead-letter record.
 * Transports own only the I/O around it (how a retry waits, where a dead
 * letter is stored), so every transport behaves the same.
 */
export class DispatchPipeline {
  readonly codec: EventCodec;
  readonly logger: Logger;
  readonly defaultRetry: RetryStrategy;
  private readonly middleware: readonly EventBusMiddleware[];
  private readonly observers: readonly EventBusMiddleware[];
  private readonly upcasters: Upcasters | undefined;

  constructor(options: DispatchPipelineOptions = {}) {
    this.codec = options.codec ?? jsonCodec;
    this.logger = options.logger ?? noopLogger;
    this.defaultRetry = validateRetryStrategy(options.retry ?? DEFAULT_RETRY_STRATEGY, 'retry');
    this.middleware = [...(options.middleware ?? [])];
    this.observers = this.middleware.filter((m) => typeof m.onOutcome === 'function');
    this.upcasters = options.upcasters !== undefined && options.upcasters.size > 0 ? options.upcasters : undefined;
  }

  /** True when some middleware has a `publish` hook (a batch must then go through it event by event). */
  get hasPublishMiddleware(): boolean {
    return this.middleware.some((m) => typeof m.publish === 'function');
  }

  /**
   * The event with its type's current schema version stamped when it declares none
   * (the same object when there is nothing to stamp). For a batch sent without the
   * publish chain; `composePublish` stamps on its own.
   */
  stamp<E extends BaseEvent>(event: E): E {
    return this.upcasters === undefined ? event : this.upcasters.stamp(event);
  }

  /**
   * Validation first (nothing is sent on ValidationError), then the middleware chain, then `send`.
   * `checkSize` is for a transport that never encodes (the in-memory bus): it also enforces
   * the codec's `maxBytes`, which a networked transport's `codec.encode` enforces as it encodes.
   * `validated`: the caller validated the event already (a batch is checked whole before any
   * of it is sent), so the chain starts at stamping.
   */
  composePublish(send: PublishFn, options: { checkSize?: boolean; validated?: boolean } = {}): PublishFn {
    const inner = composePublish(this.middleware, send);
    const upcasters = this.upcasters;
    // Events of upcast types that declare no schema version leave stamped with the current one.
    const chain: PublishFn = upcasters === undefined ? inner : (event) => inner(upcasters.stamp(event));
    if (options.validated) return chain;
    const maxBytes = options.checkSize ? this.codec.maxBytes : undefined;
    if (maxBytes === undefined) {
      return (event) => {
        validateEvent(event);
        return chain(event);
      };
    }
    const codec = this.codec;
    return (event) => {
      // The bound comes from validation's own walk; only an event that may be over the limit is encoded.
      if (validateEventSize(event) > maxBytes) codec.encode(event);
      return chain(event);
    };
  }

  /**
   * Validates `event` and throws the codec's ValidationError when it encodes to more than the
   * codec's `maxBytes`, encoding it only when validation's size bound says it may.
   */
  checkSize(event: BaseEvent): void {
    const maxBytes = this.codec.maxBytes;
    if (maxBytes !== undefined && validateEventSize(event) > maxBytes) this.codec.encode(event);
  }

  /** Checks subscribe arguments and builds the dispatch target. Throws ValidationError. */
  createTarget<T extends BaseEvent>(
    pattern: string,
    handler: EventHandler<T> | HandlerFunction<T>,
    options: SubscribeOptions = {},
  ): DispatchTarget {
    const compiled = compilePattern(pattern);
    const h = normalizeHandler(handler);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ValidationError('options.concurrency', 'must be an integer ≥ 1');
    }
    if (options.group !== undefined && (typeof options.group !== 'string' || options.group.length === 0)) {
      throw new ValidationError('options.group', 'must be a non-empty string');
    }
    const retry = h.retryStrategy ? validateRetryStrategy(h.retryStrategy) : this.defaultRetry;
    const subscription: Subscription = Object.freeze({
      id: randomUUID(),
      pattern,
      concurrency,
      ...(options.group === undefined ? {} : { group: options.group }),
    });
    const handle = h.handle.bind(h) as (e: BaseEvent, c: HandlerContext) => Promise<void> | void;
    return {
      subscription,
      retry,
      filter: h.filter ? (h.filter.bind(h) as (e: BaseEvent) => boolean) : undefined,
      errorHandler: h.errorHandler ? (h.errorHandler.bind(h) as (err: Error, e: BaseEvent) => Promise<void>) : undefined,
      // A sync throw propagates into attempt()'s try; a value becomes a promise.
      invoke: composeHandle(this.middleware, (event, ctx) => Promise.resolve(handle(event, ctx))),
      matches: compiled.matches,
    };
  }

  /**
   * Decodes a raw message. Undecodable input gives a dead-letter record for the
   * transport to store; it never reaches a handler.
   */
  decode(
    raw: Uint8Array | string,
    where: { pattern: string; group?: string | undefined },
  ): { event: BaseEvent; deadLetter?: undefined } | { event?: undefined; deadLetter: DeadLetterRecord } {
    let event: BaseEvent;
    try {
      event = this.codec.decode(raw);
    } catch (thrown) {
      const error = thrown instanceof DecodeError ? thrown : new DecodeError(toError(thrown).message, asBytes(raw));
      this.safely(() =>
        this.logger.warn(
          { pattern: where.pattern, group: where.group, error: error.message, bytes: error.raw.byteLength },
          'undecodable message dead-lettered',
        ),
      );
      return {
        deadLetter: createDeadLetterRecord({ raw, error, attempts: 0, pattern: where.pattern, group: where.group }),
      };
    }
    if (this.upcasters === undefined) return { event };
    try {
      return { event: this.upcasters.upcast(event) };
    } catch (thrown) {
      return { deadLetter: this.upcastDeadLetter(event, thrown, where) };
    }
  }

  /**
   * The event in its type's current schema (the same object when nothing is to
   * do). Throws UpcastError. For transports that do not decode (in-process).
   */
  upcast<E extends BaseEvent>(event: E): E {
    return this.upcasters === undefined ? event : this.upcasters.upcast(event);
  }

  /** An event that cannot be upcast: dead-lettered in its stored shape, so a replay after a fix upcasts it again. */
  private upcastDeadLetter(event: BaseEvent, thrown: unknown, where: { pattern: string; group?: string | undefined }): DeadLetterRecord {
    const error = toError(thrown);
    const fields = error instanceof UpcastError ? { from: error.fromSchemaVersion, to: error.toSchemaVersion } : {};
    this.safely(() =>
      this.logger.warn(
        { ...eventLogFields(event), ...fields, pattern: where.pattern, group: where.group, error: error.message },
        'event cannot be upcast; dead-lettered',
      ),
    );
    return createDeadLetterRecord({ event, error, attempts: 0, pattern: where.pattern, group: where.group });
  }

  /** Runs one attempt: filter, middleware, handler; on failure decides retry or dead letter. Never throws. */
  attempt(target: DispatchTarget, event: BaseEvent, attempt: number, signal: AbortSignal): Promise<AttemptOutcome> {
    return new Promise((resolve) => this.startAttempt(target, event, attempt, signal, resolve));
  }

  /**
   * `attempt()` for hot paths: runs filter, middleware and handler now and calls
   * `done` with the outcome one promise hop after the handler settles (never
   * synchronously), without the promise layers of an async function. Never
   * throws; `done` is called exactly once and must not throw.
   */
  startAttempt(
    target: DispatchTarget,
    event: BaseEvent,
    attempt: number,
    signal: AbortSignal,
    done: (outcome: AttemptOutcome) => void,
  ): void {
    const observed = this.observers.length > 0;
    const started = observed ? clock.now() : 0;
    let handled: Promise<void>;
    try {
      if (target.filter !== undefined && !target.filter(event)) {
        if (observed) this.notify(event, target, 'filtered', attempt, started);
        void RESOLVED.then(() => done(FILTERED));
        return;
      }
      const ctx: HandlerContext = { attempt, maxAttempts: target.retry.maxAttempts, subscription: target.subscription, signal };
      handled = target.invoke(event, ctx);
    } catch (thrown) {
      void RESOLVED.then(() => this.failed(target, event, attempt, thrown, observed, started, done));
      return;
    }
    // A middleware written without async may hand back a plain value or a foreign thenable.
    (handled instanceof Promise ? handled : Promise.resolve(handled)).then(
      () => {
        if (observed) this.notify(event, target, 'success', attempt, started);
        done(SUCCESS);
      },
      (thrown: unknown) => this.failed(target, event, attempt, thrown, observed, started, done),
    );
  }

  /** A failed attempt: another one after a backoff, or — attempts exhausted — errorHandler and a dead letter. */
  private failed(
    target: DispatchTarget,
    event: BaseEvent,
    attempt: number,
    thrown: unknown,
    observed: boolean,
    started: number,
    done: (outcome: AttemptOutcome) => void,
  ): void {
    const error = toError(thrown);
    if (attempt < target.retry.maxAttempts) {
      const delayMs = backoffDelay(target.retry, attempt);
      this.safely(() =>
        this.logger.debug(
          { ...eventLogFields(event), pattern: target.subscription.pattern, attempt, delayMs, error: error.message },
          'handler failed; will retry',
        ),
      );
      if (observed) this.notify(event, target, 'retrying', attempt, started, error);
      done({ status: 'retry', error, delayMs });
      return;
    }
    // exhausted() catches what errorHandler throws; the rejection path guards against a throwing logger.
    this.exhausted(target, event, attempt, error, observed ? started : -1).then(done, () => {
      done({ status: 'failed', error });
    });
  }

  /**
   * In-process delivery: attempts with backoff waits between them until the
   * event is settled. A `retrySignal` abort cuts a wait short ('interrupted').
   */
  async deliver(
    target: DispatchTarget,
    event: BaseEvent,
    signal: AbortSignal,
    retrySignal: AbortSignal = signal,
    firstAttempt = 1,
  ): Promise<DeliveryOutcome> {
    let outcome = await this.attempt(target, event, firstAttempt, signal);
    let attempt = firstAttempt;
    while (outcome.status === 'retry') {
      if (!(await sleep(outcome.delayMs, retrySignal))) {
        return { status: 'interrupted', error: outcome.error, attempt: attempt + 1 };
      }
      attempt++;
      outcome = await this.attempt(target, event, attempt, signal);
    }
    return outcome;
  }

  private async exhausted(
    target: DispatchTarget,
    event: BaseEvent,
    attempts: number,
    error: Error,
    started: number,
  ): Promise<AttemptOutcome> {
    const { pattern, group } = target.subscription;
    if (target.errorHandler) {
      try {
        await target.errorHandler(error, event);
      } catch (handlerError) {
        this.safely(() =>
          this.logger.error(
            { ...eventLogFields(event), pattern, group, error: toError(handlerError).message },
            'errorHandler threw; continuing to dead-letter',
          ),
        );
      }
    }
    const fields = { ...eventLogFields(event), pattern, group, attempts, error: errorFields(error) };
    if (!deadLetterEnabled(target.retry)) {
      this.safely(() => this.logger.error(fields, 'handler failed on every attempt; dead-lettering is disabled, event dropped'));
      if (started >= 0) this.notify(event, target, 'failed', attempts, started, error);
      return { status: 'failed', error };
    }
    // A throwing logger must not cost the dead letter.
    this.safely(() => this.logger.warn(fields, 'handler failed on every attempt; event dead-lettered'));
    if (started >= 0) this.notify(event, target, 'dead_lettered', attempts, started, error);
    return {
      status: 'dead_letter',
      error,
      record: createDeadLetterRecord({ event, error, attempts, pattern, group }),
    };
  }

  private notify(
    event: BaseEvent,
    target: DispatchTarget,
    status: HandleStatus,
    attempt: number,
    started: number,
    error?: Error,
  ): void {
    // One clock read gives both the duration and the wall-clock end, so observers that need
    // "now" (latency metrics) need no clock read of their own.
    const ended = clock.now();
    const outcome: HandleOutcome = {
      status,
      attempt,
      maxAttempts: target.retry.maxAttempts,
      subscription: target.subscription,
      durationMs: ended - started,
      endedAt: wallClock.epochAt(ended),
    };
    if (error) outcome.error = error;
    for (const observer of this.observers) {
      try {
        observer.onOutcome!(event, outcome);
      } catch (observerError) {
        this.safely(() =>
          this.logger.error({ middleware: observer.name, error: toError(observerError).message }, 'middleware onOutcome threw'),
        );
      }
    }
  }

  /** Runs a log call; a logger that throws must not change what happens to an event. */
  private safely(log: () => void): void {
    try {
      log();
    } catch {
      // nothing sensible to do: the logger itself is what failed
    }
  }
}

export function normalizeHandler<T extends BaseEvent>(handler: EventHandler<T> | HandlerFunction<T>): EventHandler<T> {
  if (typeof handler === 'function') return { handle: handler };
  if (handler === null || typeof handler !== 'object' || typeof handler.handle !== 'function') {
    throw new ValidationError('handler', 'must be a function or an object with a handle() method');
  }
  return handler;
}

function asBytes(raw: Uint8Array | string): Uint8Array {
  return typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
}
