import { type Snapshot, type SnapshotStore, ValidationError } from '@herald/core';
import { expect } from '../assert/expect.js';
import { assertRunner, type ConformanceRunner } from '../runner/conformance-runner.js';
import { CaseRegistry } from './case-registry.js';
import { type CaseSelection, emitSuite } from './emit-suite.js';

export interface SnapshotStoreConformanceOptions<S extends SnapshotStore = SnapshotStore> extends CaseSelection {
  name: string;
  /** A fresh, isolated, empty snapshot store; called before every case. */
  create: () => S | Promise<S>;
  /** Called after every case (delete keys, close connections). Default: close(). */
  cleanup?: (store: S) => void | Promise<void>;
}

function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    aggregateId: 'player-1',
    aggregateType: 'Player',
    version: 100,
    schemaVersion: 1,
    state: { points: 1_250, badges: ['first-blood', 'zwölf 🚀'], level: { n: 3, name: null }, active: true },
    ...overrides,
  };
}

/** What every SnapshotStore promises: the latest snapshot per aggregate, exact JSON round trips, no going back. */
export function describeSnapshotStoreConformance<S extends SnapshotStore>(runner: ConformanceRunner, options: SnapshotStoreConformanceOptions<S>): void {
  assertRunner('describeSnapshotStoreConformance', runner);
  let store: S;
  const cases = new CaseRegistry();
  const { it } = cases;

  it('load of an aggregate without a snapshot is undefined', async () => {
    expect(await store.load('nobody')).toBeUndefined();
  });

  it('round-trips a snapshot exactly (JSON state)', async () => {
    const saved = snapshot();
    await store.save(saved);
    expect(await store.load('player-1')).toEqual(saved);
  });

  it('keeps the latest version: a newer save replaces it, an older one is ignored', async () => {
    await store.save(snapshot({ version: 100 }));
    await store.save(snapshot({ version: 200, state: { points: 2 } }));
    await store.save(snapshot({ version: 150, state: { points: 'older' } }));
    expect(await store.load('player-1')).toMatchObject({ version: 200, state: { points: 2 } });
  });

  it('keeps aggregates apart, whatever their ids hold', async () => {
    const ids = ['a', 'a:b', 'a*', 'ü/ß {x}'];
    for (const [i, aggregateId] of ids.entries()) await store.save(snapshot({ aggregateId, version: i + 1 }));
    for (const [i, aggregateId] of ids.entries()) expect((await store.load(aggregateId))?.version).toBe(i + 1);
  });

  it('never aliases: changing a saved or loaded state does not change the store', async () => {
    const saved = snapshot();
    await store.save(saved);
    (saved.state as { points: number }).points = -1;
    const loaded = await store.load('player-1');
    (loaded!.state as { points: number }).points = -2;
    expect((await store.load('player-1'))?.state).toMatchObject({ points: 1_250 });
  });

  const invalid: Array<[string, Partial<Snapshot>]> = [
    ['aggregateId', { aggregateId: '' }],
    ['version', { version: 0 }],
    ['schemaVersion', { schemaVersion: 1.5 }],
    ['state', { state: undefined }],
  ];
  for (const [field, overrides] of invalid) {
    it(`rejects a snapshot with a bad ${field} (ValidationError), storing nothing`, async () => {
      await expect(store.save(snapshot(overrides))).rejects.toBeInstanceOf(ValidationError);
      expect(await store.load('player-1')).toBeUndefined();
    });
  }

  emitSuite(runner, `${options.name} — snapshot store conformance`, cases, {
    only: options.only,
    hooks: {
      beforeEach: async () => {
        store = await options.create();
      },
      afterEach: async () => {
        if (options.cleanup) await options.cleanup(store);
        else await store.close?.();
      },
    },
  });
}
