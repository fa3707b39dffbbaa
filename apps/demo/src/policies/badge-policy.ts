import { causedBy, type BaseEvent, type CommandBus, type EventHandler } from '@herald/core';
import type { Subscriber } from '../infrastructure/subscriber.js';
import { grantBadge, type CommandResult } from '../domain/commands.js';
import {
  EventTypes,
  isPlayerEvent,
  type LevelReachedData,
  type PlayerEvent,
  type PointsAwardedData,
  type PointsRedeemedData,
} from '../domain/events.js';

export const Badges = {
  Rookie: 'rookie',
  HighRoller: 'high-roller',
  Level5: 'level-5',
  Level10: 'level-10',
  FirstReward: 'first-reward',
} as const;

export const HIGH_ROLLER_POINTS = 1000;

/** The badges an event earns its player. Pure: the rules, nothing else. */
export function badgesEarnedBy(event: PlayerEvent): string[] {
  switch (event.type) {
    case EventTypes.PointsAwarded: {
      const { points, lifetimePoints } = event.data as PointsAwardedData;
      const before = lifetimePoints - points;
      const badges: string[] = [];
      if (before === 0) badges.push(Badges.Rookie);
      if (before < HIGH_ROLLER_POINTS && lifetimePoints >= HIGH_ROLLER_POINTS) badges.push(Badges.HighRoller);
      return badges;
    }
    case EventTypes.LevelReached: {
      const { level } = event.data as LevelReachedData;
      if (level === 5) return [Badges.Level5];
      if (level === 10) return [Badges.Level10];
      return [];
    }
    case EventTypes.PointsRedeemed:
      return (event.data as PointsRedeemedData).redemptions === 1 ? [Badges.FirstReward] : [];
    default:
      return [];
  }
}

/**
 * Reacts to player events by dispatching GrantBadge commands. Each command
 * continues the event's correlation id with the event as its cause, and the
 * badge event the command raises names the command as its cause, so one
 * correlation id follows a chain from the first command to the last badge.
 * Granting a badge twice is a no-op, so redelivered events are harmless.
 */
export class BadgePolicy implements EventHandler<BaseEvent>, Subscriber {
  readonly pattern = 'gamifier.#';
  readonly concurrency = 4;
  private dispatched = 0;

  constructor(private readonly commands: CommandBus) {}

  filter(event: BaseEvent): boolean {
    return isPlayerEvent(event as PlayerEvent);
  }

  async handle(event: BaseEvent): Promise<void> {
    const playerEvent = event as PlayerEvent;
    for (const badge of badgesEarnedBy(playerEvent)) {
      await this.commands.dispatch<ReturnType<typeof grantBadge>, CommandResult>(
        grantBadge(playerEvent.aggregateId, badge, causedBy(playerEvent)),
      );
      this.dispatched++;
    }
  }

  /** GrantBadge commands dispatched so far. */
  get dispatchedCount(): number {
    return this.dispatched;
  }
}
