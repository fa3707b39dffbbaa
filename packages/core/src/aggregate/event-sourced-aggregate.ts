import { createDomainEvent } from '../events/factories.js';
import type { DomainEvent, MetadataInput } from '../events/types.js';
import { ValidationError } from '../errors.js';
import { copyFields } from '../events/copy-fields.js';
import type { Upcasters } from '../upcasting/upcasters.js';

/**
 * Base for event-sourced aggregates. `version` counts every event applied,
 * committed or not; `changes` are the ones not yet saved. The repository saves
 * `changes` expecting `version - changes.length` — the version loaded — which is
 * what keeps a second save from conflicting: expecting the version after the
 * changes instead would be off by one (see docs/design-notes.md, Aggregate versions).
 */
export abstract class EventSourcedAggregate<E extends DomainEvent = DomainEvent> {
  readonly id: string;
  version = 0;
  changes: E[] = [];
  /** Type name stamped on raised events. */
  abstract readonly aggregateType: string;
  /**
   * The version of the shape `snapshotState()` returns. Bump it when that shape
   * changes: snapshots of any other version are ignored (full replay), never misread.
   */
  readonly snapshotSchemaVersion: number = 1;

  protected constructor(id: string) {
    if (typeof id !== 'string' || id.length === 0) throw new ValidationError('id', 'must be a non-empty string');
    this.id = id;
  }

  /** Mutates state from an event. Must not throw for events this aggregate raised. */
  abstract apply(event: E): void;

  /** Default metadata for raised events; override to set source/environment/user. */
  protected eventMetadata(): MetadataInput {
    return { source: this.aggregateType, environment: process.env.NODE_ENV ?? 'development' };
  }

  /** Builds the next event (version = this.version + 1), applies it and records it as a change. */
  protected raise<D extends Record<string, unknown>>(type: string, data: D, metadata?: Partial<MetadataInput>): E {
    const event = createDomainEvent({
      type,
      aggregateId: this.id,
      aggregateType: this.aggregateType,
      data,
      version: this.version + 1,
      metadata: copyFields(copyFields({}, this.eventMetadata()), metadata) as MetadataInput,
    }) as unknown as E;
    this.apply(event);
    this.version = event.version;
    this.changes.push(event);
    return event;
  }

  /**
   * The state to snapshot, as JSON-safe data; `undefined` (the default) means this
   * aggregate does not take snapshots. Override together with restoreSnapshot.
   */
  snapshotState(): unknown {
    return undefined;
  }

  /** Sets the state from what snapshotState() returned (of this snapshotSchemaVersion). */
  restoreSnapshot(_state: unknown): void {
    throw new ValidationError('snapshot', `${this.aggregateType} does not restore snapshots (override restoreSnapshot)`);
  }

  /** Restores a snapshot taken at `version`; events after it are then applied with loadFromHistory. */
  loadSnapshot(state: unknown, version: number): void {
    if (this.version !== 0 || this.changes.length > 0) {
      throw new ValidationError('snapshot', `aggregate ${this.id} must be fresh to restore a snapshot`);
    }
    this.restoreSnapshot(state);
    this.version = version;
  }

  /** Applies stored events in version order; with upcasters, each is first brought to its current schema. */
  loadFromHistory(events: readonly E[], upcasters?: Upcasters): void {
    for (const stored of events) {
      const event = upcasters === undefined ? stored : upcasters.upcast(stored);
      if (event.version !== this.version + 1) {
        throw new ValidationError(
          'events',
          `aggregate ${this.id} at version ${this.version} cannot apply event version ${event.version}`,
        );
      }
      this.apply(event);
      this.version = event.version;
    }
  }

  /** The version the stream had before the uncommitted changes. */
  get committedVersion(): number {
    return this.version - this.changes.length;
  }

  markCommitted(): void {
    this.changes = [];
  }
}
