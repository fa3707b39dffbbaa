import type { DomainEvent } from '../events/types.js';
import type { AppendResult, EventStore } from '../store/types.js';
import type { EventSourcedAggregate } from './event-sourced-aggregate.js';

export interface AggregateRepositoryOptions {
  /** Stream id for an aggregate id. Default: the aggregate id itself. */
  streamId?: (aggregateId: string) => string;
}

/** Loads aggregates from their stream and saves their changes with an exact expected version. */
export class AggregateRepository<A extends EventSourcedAggregate<DomainEvent>> {
  private readonly streamId: (id: string) => string;

  constructor(
    private readonly store: EventStore,
    private readonly create: (id: string) => A,
    options: AggregateRepositoryOptions = {},
  ) {
    this.streamId = options.streamId ?? ((id) => id);
  }

  /** The aggregate rebuilt from its events; a fresh one (version 0) when the stream is empty. */
  async load(id: string): Promise<A> {
    const aggregate = this.create(id);
    const events = await this.store.getEvents(this.streamId(id));
    aggregate.loadFromHistory(events);
    return aggregate;
  }

  /**
   * Appends the aggregate's changes expecting the version it was loaded at; a
   * stale copy gets ConcurrencyError and nothing is written. Returns the events saved.
   */
  async save(aggregate: A): Promise<{ events: DomainEvent[]; result: AppendResult | undefined }> {
    const events = aggregate.changes;
    if (events.length === 0) return { events, result: undefined };
    const result = await this.store.saveEvents(this.streamId(aggregate.id), events, aggregate.committedVersion);
    aggregate.markCommitted();
    return { events, result };
  }
}
