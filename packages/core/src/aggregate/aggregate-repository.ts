import { ValidationError, toError } from '../errors.js';
import type { DomainEvent } from '../events/types.js';
import { noopLogger, type Logger } from '../logger.js';
import type { Snapshot, SnapshotStore } from '../snapshots/snapshot-store.js';
import type { AppendResult, EventStore } from '../store/types.js';
import type { Upcasters } from '../upcasting/upcasters.js';
import type { EventSourcedAggregate } from './event-sourced-aggregate.js';

export interface AggregateRepositoryOptions {
  /** Stream id for an aggregate id. Default: the aggregate id itself. */
  streamId?: (aggregateId: string) => string;
  /**
   * Applied to every event loaded (on top of the store's own, which makes them a
   * no-op) and used to stamp the current schema version on saved events.
   */
  upcasters?: Upcasters;
  /**
   * Load = latest snapshot + the events after it; a snapshot is taken after a
   * save that reaches a multiple of `every` events. Saving one never blocks or
   * fails the save of events (failures are logged).
   */
  snapshots?: { store: SnapshotStore; every: number };
  logger?: Logger;
}

/** Loads aggregates from their stream (and snapshot) and saves their changes with an exact expected version. */
export class AggregateRepository<A extends EventSourcedAggregate<DomainEvent>> {
  private readonly streamId: (id: string) => string;
  private readonly upcasters: Upcasters | undefined;
  private readonly snapshots: { store: SnapshotStore; every: number } | undefined;
  private readonly logger: Logger;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: EventStore,
    private readonly create: (id: string) => A,
    options: AggregateRepositoryOptions = {},
  ) {
    this.streamId = options.streamId ?? ((id) => id);
    this.upcasters = options.upcasters;
    this.logger = options.logger ?? noopLogger;
    const snapshots = options.snapshots;
    if (snapshots !== undefined) {
      if (snapshots === null || typeof snapshots.store?.load !== 'function' || typeof snapshots.store.save !== 'function') {
        throw new ValidationError('options.snapshots.store', 'must be a SnapshotStore');
      }
      if (!Number.isInteger(snapshots.every) || snapshots.every < 1) {
        throw new ValidationError('options.snapshots.every', 'must be an integer ≥ 1');
      }
    }
    this.snapshots = snapshots;
  }

  /** The aggregate rebuilt from its snapshot and events; a fresh one (version 0) when the stream is empty. */
  async load(id: string): Promise<A> {
    let aggregate = this.create(id);
    let from = 0;
    const snapshot = await this.usableSnapshot(aggregate);
    if (snapshot !== undefined) {
      try {
        aggregate.loadSnapshot(snapshot.state, snapshot.version);
        from = snapshot.version + 1;
      } catch (error) {
        this.logger.warn({ aggregateId: id, error: toError(error).message }, 'snapshot unreadable; replaying every event');
        aggregate = this.create(id);
      }
    }
    const events = await this.store.getEvents(this.streamId(id), from);
    aggregate.loadFromHistory(events, this.upcasters);
    return aggregate;
  }

  /**
   * Appends the aggregate's changes expecting the version it was loaded at; a
   * stale copy gets ConcurrencyError and nothing is written. Returns the events saved.
   */
  async save(aggregate: A): Promise<{ events: DomainEvent[]; result: AppendResult | undefined }> {
    let events = aggregate.changes;
    if (events.length === 0) return { events, result: undefined };
    if (this.upcasters !== undefined) events = events.map((e) => this.upcasters!.stamp(e));
    const before = aggregate.committedVersion;
    const result = await this.store.saveEvents(this.streamId(aggregate.id), events, before);
    aggregate.markCommitted();
    if (this.snapshots !== undefined && Math.floor(aggregate.version / this.snapshots.every) > Math.floor(before / this.snapshots.every)) {
      this.snapshot(aggregate, this.snapshots.store);
    }
    return { events, result };
  }

  /** Resolves when every snapshot save started so far has settled (for tests and shutdown). */
  async flushSnapshots(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** The latest snapshot when it exists and has the aggregate's state shape; undefined = full replay. */
  private async usableSnapshot(aggregate: A): Promise<Snapshot | undefined> {
    if (this.snapshots === undefined) return undefined;
    let snapshot: Snapshot | undefined;
    try {
      snapshot = await this.snapshots.store.load(aggregate.id);
    } catch (error) {
      this.logger.warn({ aggregateId: aggregate.id, error: toError(error).message }, 'snapshot load failed; replaying every event');
      return undefined;
    }
    // A snapshot of another state shape (older or newer code) is never misread: full replay.
    if (
      snapshot === undefined ||
      snapshot.schemaVersion !== aggregate.snapshotSchemaVersion ||
      snapshot.aggregateType !== aggregate.aggregateType
    ) {
      return undefined;
    }
    return snapshot;
  }

  /** Takes the state now (synchronously) and saves it in the background. */
  private snapshot(aggregate: A, store: SnapshotStore): void {
    let saving: Promise<void>;
    try {
      const state = aggregate.snapshotState();
      if (state === undefined) return;
      saving = store.save({
        aggregateId: aggregate.id,
        aggregateType: aggregate.aggregateType,
        version: aggregate.version,
        schemaVersion: aggregate.snapshotSchemaVersion,
        state,
      });
    } catch (error) {
      saving = Promise.reject(error);
    }
    const tracked: Promise<void> = saving
      .catch((error: unknown) => {
        this.logger.warn({ aggregateId: aggregate.id, error: toError(error).message }, 'snapshot save failed; loads replay more events');
      })
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
