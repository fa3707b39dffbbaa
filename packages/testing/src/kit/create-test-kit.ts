import {
  AggregateRepository,
  EventDrivenCommandBus,
  InMemoryEventBus,
  type AggregateRepositoryOptions,
  type DomainEvent,
  type EventSourcedAggregate,
  type InMemoryEventBusOptions,
} from '@herald/core';
import { InMemoryEventStore } from '@herald/in-memory-store';
import { RecordingEventBus } from '../recording/recording-event-bus.js';

export interface TestKitOptions extends InMemoryEventBusOptions {
  /**
   * Deliver what the wire would (see InMemoryEventBusOptions.wireFormat). Default **true** in the
   * kit: a handler tested here sees exactly the shape production handlers see on Redis or RabbitMQ.
   */
  wireFormat?: boolean;
  /** Default bound of `bus.waitFor` and `bus.settle`, in milliseconds. Default 5,000. */
  timeoutMs?: number;
}

export interface TestKit {
  /** A RecordingEventBus over a fresh InMemoryEventBus in wire format. */
  bus: RecordingEventBus;
  store: InMemoryEventStore;
  commands: EventDrivenCommandBus;
  /** An AggregateRepository over the kit's store. */
  repository<A extends EventSourcedAggregate<DomainEvent>>(
    create: (id: string) => A,
    options?: AggregateRepositoryOptions,
  ): AggregateRepository<A>;
  /** Closes the bus (waiting for in-flight handlers) and the store. Idempotent. */
  close(): Promise<void>;
}

/** Everything a service test needs, in memory: a recording bus, an event store and a command bus. */
export function createTestKit(options: TestKitOptions = {}): TestKit {
  const { timeoutMs, wireFormat = true, ...busOptions } = options;
  const bus = new RecordingEventBus(new InMemoryEventBus({ ...busOptions, wireFormat }), timeoutMs === undefined ? {} : { timeoutMs });
  const store = new InMemoryEventStore();
  const commands = new EventDrivenCommandBus();
  let closing: Promise<void> | undefined;
  return {
    bus,
    store,
    commands,
    repository: (create, repositoryOptions) => new AggregateRepository(store, create, repositoryOptions),
    close() {
      closing ??= Promise.all([bus.close(), store.close()]).then(() => undefined);
      return closing;
    },
  };
}
