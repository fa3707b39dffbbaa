/** Where an outbox relay remembers the next global position it has to publish. */
export interface CheckpointStore {
  load(name: string): Promise<number | undefined>;
  save(name: string, position: number): Promise<void>;
  /** Releases what the store holds (a connection it opened); optional, like the other stores' `close`. */
  close?(): Promise<void>;
}

export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly positions = new Map<string, number>();
  async load(name: string): Promise<number | undefined> {
    return this.positions.get(name);
  }
  async save(name: string, position: number): Promise<void> {
    this.positions.set(name, position);
  }
  async close(): Promise<void> {}
}
