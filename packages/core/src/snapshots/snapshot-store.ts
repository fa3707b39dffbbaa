import { ValidationError } from '../errors.js';

/** An aggregate's state at a version, so a load can skip the events up to it. */
export interface Snapshot {
  aggregateId: string;
  aggregateType: string;
  /** The aggregate version the state includes: events after it are replayed on load. */
  version: number;
  /** The version of the state's shape (the aggregate's `snapshotSchemaVersion`); other versions are ignored. */
  schemaVersion: number;
  /** What `snapshotState()` returned: JSON values (and Dates on stores that keep them). */
  state: unknown;
}

/**
 * Where snapshots live: the latest one per aggregate id. A save older than the
 * one kept (a lower version) is ignored, so racing savers cannot move it back.
 */
export interface SnapshotStore {
  save(snapshot: Snapshot): Promise<void>;
  /** The latest snapshot of the aggregate, or undefined. */
  load(aggregateId: string): Promise<Snapshot | undefined>;
  close?(): Promise<void>;
}

/** Checks shared by every snapshot store, so they all reject the same bad input the same way. */
export function validateSnapshot(snapshot: unknown): asserts snapshot is Snapshot {
  if (snapshot === null || typeof snapshot !== 'object') throw new ValidationError('snapshot', 'must be an object');
  const s = snapshot as Partial<Snapshot>;
  if (typeof s.aggregateId !== 'string' || s.aggregateId.length === 0) {
    throw new ValidationError('snapshot.aggregateId', 'must be a non-empty string');
  }
  if (typeof s.aggregateType !== 'string' || s.aggregateType.length === 0) {
    throw new ValidationError('snapshot.aggregateType', 'must be a non-empty string');
  }
  if (!Number.isInteger(s.version) || (s.version as number) < 1) throw new ValidationError('snapshot.version', 'must be an integer ≥ 1');
  if (!Number.isInteger(s.schemaVersion) || (s.schemaVersion as number) < 1) {
    throw new ValidationError('snapshot.schemaVersion', 'must be an integer ≥ 1');
  }
  if (s.state === undefined) throw new ValidationError('snapshot.state', 'must be defined');
}

/** Snapshots in process memory; saved and loaded as copies (structuredClone). */
export class InMemorySnapshotStore implements SnapshotStore {
  private readonly snapshots = new Map<string, Snapshot>();

  async save(snapshot: Snapshot): Promise<void> {
    validateSnapshot(snapshot);
    const kept = this.snapshots.get(snapshot.aggregateId);
    if (kept !== undefined && kept.version > snapshot.version) return;
    this.snapshots.set(snapshot.aggregateId, structuredClone(snapshot));
  }

  async load(aggregateId: string): Promise<Snapshot | undefined> {
    if (typeof aggregateId !== 'string' || aggregateId.length === 0) {
      throw new ValidationError('aggregateId', 'must be a non-empty string');
    }
    const kept = this.snapshots.get(aggregateId);
    return kept === undefined ? undefined : structuredClone(kept);
  }

  async close(): Promise<void> {}
}
