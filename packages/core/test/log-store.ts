import { createDomainEvent, type EventStore, type StoredEvent } from '../src/index.js';

/**
 * Test double: a global log with positions 1, 2, 3, …, appended to directly.
 * `onAppend` listeners are called after each append when `wakes` is true (a
 * store that can give a cheap wake-up); `headPosition` exists only with `knowsHead`.
 */
export class LogStore implements EventStore {
  readonly log: StoredEvent[] = [];
  reads = 0;
  private readonly listeners = new Set<() => void>();
  readonly headPosition?: () => Promise<number>;

  constructor(options: { wakes?: boolean; knowsHead?: boolean } = {}) {
    if (options.wakes === false) this.onAppend = undefined;
    if (options.knowsHead) this.headPosition = async () => this.log.length;
  }

  append(count: number, type = 'outbox.event'): StoredEvent[] {
    const added: StoredEvent[] = [];
    for (let i = 0; i < count; i++) {
      const position = this.log.length + 1;
      const event = createDomainEvent({
        type,
        aggregateId: `a-${position}`,
        aggregateType: 'thing',
        data: { position },
        metadata: { source: 'test', environment: 'test' },
      });
      const stored = { ...event, version: 1, position };
      this.log.push(stored);
      added.push(stored);
    }
    for (const listener of this.listeners) listener();
    return added;
  }
  async saveEvents(): Promise<never> {
    throw new Error('not used');
  }
  async getEvents(): Promise<StoredEvent[]> {
    return [];
  }
  async getAllEvents(fromPosition = 0, batchSize = 100): Promise<StoredEvent[]> {
    this.reads++;
    return this.log.filter((e) => e.position >= fromPosition).slice(0, batchSize);
  }
  onAppend?: (listener: () => void) => () => void = (listener) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
