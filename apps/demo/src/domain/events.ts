import type { DomainEvent, IntegrationEvent } from '@herald/core';

/** Every event type the Gamifier publishes. Dot-separated words, `gamifier.` first. */
export const EventTypes = {
  PointsAwarded: 'gamifier.points.awarded',
  PointsRedeemed: 'gamifier.points.redeemed',
  LevelReached: 'gamifier.level.reached',
  BadgeEarned: 'gamifier.badge.earned',
  /** Integration event: tells other services that a player levelled up. */
  LevelUpAnnounced: 'gamifier.integration.level-up',
  /** System event: a handler gave up on an event (it was dead-lettered). */
  HandlerFailed: 'gamifier.system.handler-failed',
  /** System event: a command failed for a reason other than validation. */
  CommandFailed: 'gamifier.system.command-failed',
} as const;

export const PLAYER_AGGREGATE = 'Player';
export const SERVICE_NAME = 'gamifier';

export interface PointsAwardedData extends Record<string, unknown> {
  points: number;
  reason: string;
  /** Spendable points after the award. */
  balance: number;
  /** Every point ever awarded; decides the level and the leaderboard rank. */
  lifetimePoints: number;
}

export interface PointsRedeemedData extends Record<string, unknown> {
  points: number;
  reward: string;
  balance: number;
  /** How many redemptions this player has made, this one included. */
  redemptions: number;
}

export interface LevelReachedData extends Record<string, unknown> {
  level: number;
  lifetimePoints: number;
}

/**
 * Schema v2 of `gamifier.badge.earned` (v1 had only `badge`). Old v1 events stay
 * in the store as they were written; domain/upcasters.ts reads them as v2.
 */
export interface BadgeEarnedData extends Record<string, unknown> {
  badge: string;
  /** What the badge is for: `level` (level-5, level-10), `points` (rookie, high-roller, first-reward) or `legacy`. */
  category: BadgeCategory;
}

export type BadgeCategory = 'level' | 'points' | 'legacy';

/** The category of a badge by its name: the rule v2 writers and the v1 → v2 upcaster share. */
export function badgeCategory(badge: string): BadgeCategory {
  if (badge.startsWith('level-')) return 'level';
  if (badge === 'rookie' || badge === 'high-roller' || badge === 'first-reward') return 'points';
  return 'legacy';
}

export type PointsAwarded = DomainEvent<PointsAwardedData>;
export type PointsRedeemed = DomainEvent<PointsRedeemedData>;
export type LevelReached = DomainEvent<LevelReachedData>;
export type BadgeEarned = DomainEvent<BadgeEarnedData>;
export type PlayerEvent = PointsAwarded | PointsRedeemed | LevelReached | BadgeEarned;

export interface LevelUpPayload extends Record<string, unknown> {
  playerId: string;
  level: number;
}
export type LevelUpAnnounced = IntegrationEvent<LevelUpPayload>;

export function isPlayerEvent(event: { type: string; aggregateType?: unknown }): event is PlayerEvent {
  return event.aggregateType === PLAYER_AGGREGATE;
}

/**
 * Lifetime points needed to reach `level`: 0 for level 1, then 100, 300, 600,
 * 1000, … (each level costs 100 more than the one before).
 */
export function pointsForLevel(level: number): number {
  return (100 * level * (level - 1)) / 2;
}

export function levelFor(lifetimePoints: number): number {
  let level = 1;
  while (pointsForLevel(level + 1) <= lifetimePoints) level++;
  return level;
}
