import type { BaseEvent, EventHandler, Projection } from '@herald/core';
import type { Subscriber } from '../infrastructure/subscriber.js';
import {
  EventTypes,
  isPlayerEvent,
  type BadgeEarnedData,
  type LevelReachedData,
  type PlayerEvent,
  type PointsAwardedData,
  type PointsRedeemedData,
} from '../domain/events.js';

export interface LeaderboardEntry {
  rank: number;
  playerId: string;
  lifetimePoints: number;
  points: number;
  level: number;
  badges: number;
}

interface Row {
  playerId: string;
  lifetimePoints: number;
  points: number;
  level: number;
  badges: Set<string>;
  /** Version of the event `points` came from (awards and redemptions set it). */
  balanceVersion: number;
  /** Version of the event `lifetimePoints` came from (awards set it). */
  lifetimeVersion: number;
  /** Highest version seen for this player. */
  version: number;
}

/** The event types the leaderboard applies. */
const PLAYER_EVENT_TYPES = [EventTypes.PointsAwarded, EventTypes.PointsRedeemed, EventTypes.LevelReached, EventTypes.BadgeEarned];

/**
 * Read model: players ranked by lifetime points (ties by id). In the app it is a
 * Projection over the store's log (runProjection, with a checkpoint); it can also
 * be fed by the bus (handle), as its unit tests do.
 * Events carry absolute balances and each field remembers the version it came
 * from, badges are a set and levels only go up, so a duplicate or late event
 * (at-least-once delivery, a replay, a catch-up from the store) cannot count
 * twice or roll a player back.
 */
export class Leaderboard implements EventHandler<BaseEvent>, Subscriber, Projection<PlayerEvent> {
  /** Projection name: also its checkpoint's name. */
  readonly name = 'leaderboard';
  readonly handles = PLAYER_EVENT_TYPES;
  /** Every Player event; one at a time so each player's events apply in order. */
  readonly pattern = 'gamifier.#';
  readonly concurrency = 1;
  private readonly rows = new Map<string, Row>();
  private applied = 0;

  filter(event: BaseEvent): boolean {
    return isPlayerEvent(event as PlayerEvent);
  }

  async handle(event: BaseEvent): Promise<void> {
    this.apply(event as PlayerEvent);
  }

  apply(event: PlayerEvent): void {
    const row = this.row(event.aggregateId);
    const v = event.version;
    switch (event.type) {
      case EventTypes.PointsAwarded: {
        const data = event.data as PointsAwardedData;
        if (v > row.balanceVersion) {
          row.points = data.balance;
          row.balanceVersion = v;
        }
        if (v > row.lifetimeVersion) {
          row.lifetimePoints = data.lifetimePoints;
          row.lifetimeVersion = v;
        }
        break;
      }
      case EventTypes.PointsRedeemed:
        if (v > row.balanceVersion) {
          row.points = (event.data as PointsRedeemedData).balance;
          row.balanceVersion = v;
        }
        break;
      case EventTypes.LevelReached:
        row.level = Math.max(row.level, (event.data as LevelReachedData).level);
        break;
      case EventTypes.BadgeEarned:
        row.badges.add((event.data as BadgeEarnedData).badge);
        break;
      default:
        return;
    }
    row.version = Math.max(row.version, v);
    this.applied++;
  }


  /** Empties the read model (rebuildProjection calls it before replaying from position 1). */
  reset(): void {
    this.rows.clear();
    this.applied = 0;
  }

  top(limit = 10): LeaderboardEntry[] {
    const sorted = [...this.rows.values()].sort(
      (a, b) => b.lifetimePoints - a.lifetimePoints || (a.playerId < b.playerId ? -1 : 1),
    );
    return sorted.slice(0, limit).map((row, i) => ({
      rank: i + 1,
      playerId: row.playerId,
      lifetimePoints: row.lifetimePoints,
      points: row.points,
      level: row.level,
      badges: row.badges.size,
    }));
  }

  get(playerId: string): LeaderboardEntry | undefined {
    const row = this.rows.get(playerId);
    if (!row) return undefined;
    const rank = this.top(Number.MAX_SAFE_INTEGER).findIndex((e) => e.playerId === playerId) + 1;
    return { rank, playerId, lifetimePoints: row.lifetimePoints, points: row.points, level: row.level, badges: row.badges.size };
  }

  /** Highest version applied for a player (0 when unseen): lets callers wait for the projection to catch up. */
  versionOf(playerId: string): number {
    return this.rows.get(playerId)?.version ?? 0;
  }

  get size(): number {
    return this.rows.size;
  }

  /** Player events applied so far (duplicates included). */
  get appliedCount(): number {
    return this.applied;
  }

  totals(): { players: number; lifetimePoints: number; points: number; badges: number } {
    let lifetimePoints = 0;
    let points = 0;
    let badges = 0;
    for (const row of this.rows.values()) {
      lifetimePoints += row.lifetimePoints;
      points += row.points;
      badges += row.badges.size;
    }
    return { players: this.rows.size, lifetimePoints, points, badges };
  }

  private row(playerId: string): Row {
    let row = this.rows.get(playerId);
    if (!row) {
      row = {
        playerId,
        lifetimePoints: 0,
        points: 0,
        level: 1,
        badges: new Set(),
        balanceVersion: 0,
        lifetimeVersion: 0,
        version: 0,
      };
      this.rows.set(playerId, row);
    }
    return row;
  }
}
