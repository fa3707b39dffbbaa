import {
  createDomainEvent,
  InMemoryCheckpointStore,
  rebuildProjection,
  schemaVersionOf,
  type DomainEvent,
  type RebuildProgress,
} from '@herald/core';
import type { Gamifier } from './app.js';
import { EventTypes, PLAYER_AGGREGATE, SERVICE_NAME, type PlayerEvent } from './domain/events.js';
import { Player } from './domain/player.js';
import { Leaderboard } from './projections/leaderboard.js';

/** Last season's badges, written by the code of then: `gamifier.badge.earned` schema v1, no `category`. */
const LEGACY_BADGES: Record<string, string[]> = {
  'legacy-ada': ['founder', 'beta-tester'],
  'legacy-bob': ['founder'],
  'legacy-cy': ['founder', 'beta-tester', 'bug-hunter'],
};

/** Writes last season's v1 badge events straight to the store, as the old code did. Returns how many. */
export async function seedLegacyEvents(app: Gamifier): Promise<number> {
  let written = 0;
  for (const [playerId, badges] of Object.entries(LEGACY_BADGES)) {
    const events = badges.map((badge, i) =>
      createDomainEvent({
        type: EventTypes.BadgeEarned,
        aggregateId: playerId,
        aggregateType: PLAYER_AGGREGATE,
        data: { badge },
        version: i + 1,
        // Explicitly v1: the store keeps it as written, and every reader upcasts it.
        metadata: { source: `${SERVICE_NAME}-2023`, environment: app.config.environment, schemaVersion: 1 },
      }),
    );
    await app.infrastructure.store.saveEvents(playerId, events, 'any');
    written += events.length;
  }
  return written;
}

export interface EventSourcingReport {
  /** The leaderboard rebuilt from position 1 into a fresh read model. */
  rebuild: { events: number; eventsPerSecond: number; ms: number; equalsLive: boolean };
  /** Badge events read from the store: all in schema v2, the legacy ones included. */
  badges: { read: number; v2: number; legacy: number; legacyPlayersRanked: boolean };
  /** Players loaded through the repository (snapshot + tail) vs a full replay. */
  snapshots: { players: number; fromSnapshot: number; equal: boolean };
}

/** Rebuilds the leaderboard, reads the badge events, loads players with and without snapshots. */
export async function checkEventSourcing(
  app: Gamifier,
  legacySeeded: number,
  onRebuildProgress?: (progress: RebuildProgress) => void,
): Promise<EventSourcingReport> {
  const { store, snapshots } = app.infrastructure;

  // 1. Rebuild the leaderboard into a second read model and compare with the live one.
  const rebuilt = new Leaderboard();
  const final = await rebuildProjection(store, rebuilt, {
    checkpoints: new InMemoryCheckpointStore(),
    batchSize: 500,
    ...(onRebuildProgress ? { onProgress: onRebuildProgress } : {}),
  });
  const everyone = Number.MAX_SAFE_INTEGER;
  const equalsLive = JSON.stringify(rebuilt.top(everyone)) === JSON.stringify(app.leaderboard.top(everyone));

  // 2. Every badge event in the store reads as v2 with a category.
  let read = 0;
  let v2 = 0;
  for (let position = 0; ; ) {
    const batch = await store.getAllEvents(position, 1000);
    for (const event of batch) {
      position = event.position + 1;
      if (event.type !== EventTypes.BadgeEarned) continue;
      read++;
      if (schemaVersionOf(event) === 2 && typeof event.data.category === 'string') v2++;
    }
    if (batch.length < 1000) break;
  }
  const legacyPlayersRanked = Object.entries(LEGACY_BADGES).every(
    ([id, badges]) => (app.leaderboard.get(id)?.badges ?? 0) >= badges.length,
  );

  // 3. Players through the repository (latest snapshot + the events after it) equal a full replay.
  const ids = app.leaderboard.top(25).map((e) => e.playerId);
  let fromSnapshot = 0;
  let equal = true;
  for (const id of ids) {
    const loaded = await app.players.load(id);
    const replayed = new Player(id);
    replayed.loadFromHistory((await store.getEvents(id)) as DomainEvent[] as PlayerEvent[]);
    if (JSON.stringify(loaded.state) !== JSON.stringify(replayed.state)) equal = false;
    if ((await snapshots.load(id)) !== undefined) fromSnapshot++;
  }

  return {
    rebuild: { events: final.done, eventsPerSecond: final.eventsPerSecond, ms: final.elapsedMs, equalsLive },
    badges: { read, v2, legacy: legacySeeded, legacyPlayersRanked },
    snapshots: { players: ids.length, fromSnapshot, equal },
  };
}
