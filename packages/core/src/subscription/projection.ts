import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CheckpointStore } from '../outbox/checkpoint-store.js';
import type { DomainEvent } from '../events/types.js';
import type { EventStore, StoredEvent } from '../store/types.js';
import { readHeadPosition } from './head-position.js';
import { StoreSubscription } from './store-subscription.js';

/**
 * A read model built from the global log. `apply` sees only the `handles` types
 * (every event when omitted), in position order, at least once: make it
 * idempotent or keep the read model and the checkpoint together (see
 * docs/design-notes.md, "Projections").
 */
export interface Projection<E extends DomainEvent = StoredEvent> {
  /** Also the checkpoint name. */
  readonly name: string;
  /** Event types this projection applies; others are skipped (the checkpoint still moves). */
  readonly handles?: readonly string[];
  /** Gets stored events (with `position`); E lets a projection name the event types `handles` admits. */
  apply(event: E): void | Promise<void>;
  /** Empties the read model; called by rebuildProjection before it replays from position 1. */
  reset?(): void | Promise<void>;
}

export interface RunProjectionOptions {
  checkpoints: CheckpointStore;
  /** Where to start without a checkpoint. Default 'start'. */
  from?: 'start' | 'end' | number;
  batchSize?: number;
  pollIntervalMs?: number;
  errorBackoffMs?: number;
  logger?: Logger;
}

/** Keeps a projection up to date: a started StoreSubscription named after it. `close()` it when done. */
export function runProjection<E extends DomainEvent>(
  store: EventStore,
  projection: Projection<E>,
  options: RunProjectionOptions,
): StoreSubscription {
  return projectionSubscription(store, projection, options).start();
}

export interface RebuildProgress {
  /** Events read since the rebuild began (skipped types included). */
  done: number;
  /** Events still to read up to the head seen at the start (0 once there). */
  remaining: number;
  /** done + remaining at the start: the log's head position then. */
  total: number;
  /** Average rate since the start. */
  eventsPerSecond: number;
  elapsedMs: number;
}

export interface RebuildProjectionOptions {
  checkpoints: CheckpointStore;
  /** Events per read. Default 1,000. */
  batchSize?: number;
  /** Called after every batch and once at the end (remaining 0). */
  onProgress?: (progress: RebuildProgress) => void;
}

/**
 * Rebuilds a projection from zero: `reset()`, checkpoint back to position 1,
 * replay up to the head, checkpoint at the end of every batch. Events appended
 * meanwhile are applied too (the rebuild ends when the log is caught up); a
 * live runProjection of the same name must be stopped first.
 */
export async function rebuildProjection<E extends DomainEvent>(
  store: EventStore,
  projection: Projection<E>,
  options: RebuildProjectionOptions,
): Promise<RebuildProgress> {
  const subscription = projectionSubscription(store, projection, {
    checkpoints: options.checkpoints,
    batchSize: options.batchSize ?? 1_000,
  });
  await projection.reset?.();
  await options.checkpoints.save(projection.name, 1);
  const total = await readHeadPosition(store);
  const started = performance.now();
  let done = 0;
  const progress = (): RebuildProgress => {
    const elapsedMs = performance.now() - started;
    return {
      done,
      remaining: Math.max(total - done, 0),
      total,
      eventsPerSecond: elapsedMs > 0 ? Math.round((done * 1000) / elapsedMs) : 0,
      elapsedMs,
    };
  };
  for (;;) {
    const n = await subscription.runOnce();
    done += n;
    if (n < subscription.batchSize) break;
    options.onProgress?.(progress());
  }
  const final = progress();
  options.onProgress?.(final);
  return final;
}

function projectionSubscription<E extends DomainEvent>(
  store: EventStore,
  projection: Projection<E>,
  options: Omit<RunProjectionOptions, 'checkpoints'> & { checkpoints: CheckpointStore },
): StoreSubscription {
  if (projection === null || typeof projection !== 'object' || typeof projection.apply !== 'function') {
    throw new ValidationError('projection', 'must be an object with name and apply(event)');
  }
  if (options?.checkpoints === undefined) throw new ValidationError('options.checkpoints', 'a projection needs a checkpoint store');
  const types = projection.handles === undefined ? undefined : new Set(projection.handles);
  return new StoreSubscription(store, (event) => projection.apply(event as unknown as E), {
    name: projection.name,
    checkpoints: options.checkpoints,
    from: options.from ?? 'start',
    filter: types === undefined ? undefined : (event) => types.has(event.type),
    batchSize: options.batchSize,
    pollIntervalMs: options.pollIntervalMs,
    errorBackoffMs: options.errorBackoffMs,
    logger: options.logger,
  });
}
