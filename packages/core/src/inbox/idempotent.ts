import type { HandlerContext, HandlerFunction } from '../bus/types.js';
import { InboxBusyError, ValidationError } from '../errors.js';
import type { BaseEvent } from '../events/types.js';
import { positiveInt } from '../options/positive-int.js';
import type { InboxStore } from './inbox.js';

export interface IdempotentOptions<T extends BaseEvent = BaseEvent> {
  store: InboxStore;
  /** The record's key. Default: `scope` + ':' + event.id. */
  key?: (event: T) => string;
  /** Names the consumer, so two handlers sharing a store keep separate records. Default 'default'. */
  scope?: string;
  /** How long a handled event is remembered (duplicates within it are skipped). Default 7 days. */
  ttlMs?: number;
  /** How long a run's claim holds if the process dies mid-handler. Default 60 s. */
  leaseMs?: number;
}

const DAY_MS = 86_400_000;

/**
 * Wraps a handler so each event runs it once although delivery is at-least-once:
 * a delivery of an event already handled returns without running it; one whose
 * first delivery is still running fails with InboxBusyError (the transport
 * retries it); a handler that throws leaves no record, so it is retried.
 */
export function idempotent<T extends BaseEvent>(handler: HandlerFunction<T>, options: IdempotentOptions<T>): HandlerFunction<T> {
  if (typeof handler !== 'function') throw new ValidationError('handler', 'must be a function');
  const store = options?.store;
  if (store === undefined || typeof store.claim !== 'function') throw new ValidationError('options.store', 'must be an InboxStore');
  const scope = options.scope ?? 'default';
  const keyOf = options.key ?? ((event: T) => `${scope}:${event.id}`);
  const ttlMs = positiveInt(options.ttlMs ?? 7 * DAY_MS, 'options.ttlMs');
  const leaseMs = positiveInt(options.leaseMs ?? 60_000, 'options.leaseMs');
  return async (event: T, ctx: HandlerContext) => {
    const key = keyOf(event);
    const state = await store.claim(key, leaseMs);
    if (state === 'done') return;
    if (state === 'busy') throw new InboxBusyError(key);
    try {
      await handler(event, ctx);
    } catch (error) {
      await store.release(key);
      throw error;
    }
    await store.complete(key, ttlMs);
  };
}
