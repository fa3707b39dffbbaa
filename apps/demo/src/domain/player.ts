import { EventSourcedAggregate, ValidationError, type MetadataInput } from '@herald/core';
import {
  EventTypes,
  PLAYER_AGGREGATE,
  badgeCategory,
  levelFor,
  type BadgeEarnedData,
  type LevelReachedData,
  type PlayerEvent,
  type PointsAwardedData,
  type PointsRedeemedData,
} from './events.js';

/** Where raised events say they come from. */
export interface EventOrigin {
  source: string;
  environment: string;
}

/** What links a raised event to the command that caused it. */
export type Cause = Partial<Pick<MetadataInput, 'correlationId' | 'causationId' | 'userId'>>;

export class InsufficientPointsError extends Error {
  constructor(
    readonly balance: number,
    readonly requested: number,
  ) {
    super(`not enough points: the balance is ${balance}, ${requested} requested`);
    this.name = 'InsufficientPointsError';
  }
}

export interface PlayerState {
  id: string;
  version: number;
  points: number;
  lifetimePoints: number;
  level: number;
  badges: string[];
  redemptions: number;
}

/** What a Player snapshot holds (snapshotSchemaVersion 1). */
export interface PlayerSnapshot {
  points: number;
  lifetimePoints: number;
  level: number;
  badges: string[];
  redemptions: number;
}

/**
 * A player of the Gamifier: a spendable point balance, lifetime points that set
 * the level, and badges. Every change is an event; state is only ever rebuilt
 * from events in `apply`.
 */
export class Player extends EventSourcedAggregate<PlayerEvent> {
  readonly aggregateType = PLAYER_AGGREGATE;
  private points = 0;
  private lifetimePoints = 0;
  private level = 1;
  private readonly badges = new Set<string>();
  private redemptions = 0;

  constructor(
    id: string,
    private readonly origin: EventOrigin = { source: 'gamifier', environment: 'development' },
  ) {
    super(id);
  }

  protected override eventMetadata(): MetadataInput {
    return { source: this.origin.source, environment: this.origin.environment };
  }

  /** Awards points; raises one `level.reached` per level crossed. */
  awardPoints(points: number, reason: string, cause: Cause = {}): void {
    if (!Number.isInteger(points) || points <= 0) throw new ValidationError('points', 'must be a positive integer');
    const lifetimePoints = this.lifetimePoints + points;
    const previousLevel = this.level;
    this.raise<PointsAwardedData>(
      EventTypes.PointsAwarded,
      { points, reason, balance: this.points + points, lifetimePoints },
      cause,
    );
    for (let level = previousLevel + 1; level <= levelFor(lifetimePoints); level++) {
      this.raise<LevelReachedData>(EventTypes.LevelReached, { level, lifetimePoints }, cause);
    }
  }

  /** Spends points on a reward; throws InsufficientPointsError when the balance is too low. */
  redeem(points: number, reward: string, cause: Cause = {}): void {
    if (!Number.isInteger(points) || points <= 0) throw new ValidationError('points', 'must be a positive integer');
    if (points > this.points) throw new InsufficientPointsError(this.points, points);
    this.raise<PointsRedeemedData>(
      EventTypes.PointsRedeemed,
      { points, reward, balance: this.points - points, redemptions: this.redemptions + 1 },
      cause,
    );
  }

  /** Grants a badge once; granting a badge the player has is a no-op (no event). */
  earnBadge(badge: string, cause: Cause = {}): boolean {
    if (this.badges.has(badge)) return false;
    this.raise<BadgeEarnedData>(EventTypes.BadgeEarned, { badge, category: badgeCategory(badge) }, cause);
    return true;
  }

  apply(event: PlayerEvent): void {
    switch (event.type) {
      case EventTypes.PointsAwarded: {
        const data = event.data as PointsAwardedData;
        this.points = data.balance;
        this.lifetimePoints = data.lifetimePoints;
        break;
      }
      case EventTypes.PointsRedeemed: {
        const data = event.data as PointsRedeemedData;
        this.points = data.balance;
        this.redemptions = data.redemptions;
        break;
      }
      case EventTypes.LevelReached:
        this.level = (event.data as LevelReachedData).level;
        break;
      case EventTypes.BadgeEarned:
        this.badges.add((event.data as BadgeEarnedData).badge);
        break;
      default:
        // An event type this version does not know: ignore it rather than refuse to load.
        break;
    }
  }

  /** Snapshot state (schema 1): everything apply() builds, as JSON. */
  override snapshotState(): PlayerSnapshot {
    return {
      points: this.points,
      lifetimePoints: this.lifetimePoints,
      level: this.level,
      badges: [...this.badges],
      redemptions: this.redemptions,
    };
  }

  override restoreSnapshot(state: unknown): void {
    const s = state as PlayerSnapshot;
    if (typeof s?.points !== 'number' || !Array.isArray(s.badges)) throw new ValidationError('snapshot', 'not a Player snapshot');
    this.points = s.points;
    this.lifetimePoints = s.lifetimePoints;
    this.level = s.level;
    for (const badge of s.badges) this.badges.add(badge);
    this.redemptions = s.redemptions;
  }

  get state(): PlayerState {
    return {
      id: this.id,
      version: this.version,
      points: this.points,
      lifetimePoints: this.lifetimePoints,
      level: this.level,
      badges: [...this.badges].sort(),
      redemptions: this.redemptions,
    };
  }

  /** True once the player has at least one event. */
  get exists(): boolean {
    return this.version > 0;
  }
}
