import { ValidationError } from '@herald/core';
import { scenario } from '@herald/testing';
import { describe, expect, it } from 'vitest';
import { EventTypes, levelFor, pointsForLevel } from '../src/domain/events.js';
import { InsufficientPointsError, Player } from '../src/domain/player.js';

describe('Player', () => {
  it('awards points as a points.awarded event with the balance after it', () => {
    // Given a new player
    const player = new Player('p1');
    // When points are awarded
    player.awardPoints(40, 'quiz answered', { correlationId: 'c-1', causationId: 'cmd-1' });
    // Then one event records them, version 1, linked to its cause
    expect(player.changes).toHaveLength(1);
    const [event] = player.changes;
    expect(event).toMatchObject({
      type: EventTypes.PointsAwarded,
      aggregateId: 'p1',
      aggregateType: 'Player',
      version: 1,
      data: { points: 40, reason: 'quiz answered', balance: 40, lifetimePoints: 40 },
      metadata: { correlationId: 'c-1', causationId: 'cmd-1', source: 'gamifier' },
    });
    expect(player.state).toMatchObject({ points: 40, lifetimePoints: 40, level: 1, version: 1 });
  });

  it('raises one level.reached per level crossed', () => {
    // Given a player with 90 points (level 1; level 2 at 100, 3 at 300)
    const player = new Player('p1');
    player.awardPoints(90, 'start');
    // When 250 more points arrive
    player.awardPoints(250, 'big win');
    // Then levels 2 and 3 are reached, in order, after the award
    expect(player.changes.map((e) => e.type)).toEqual([
      EventTypes.PointsAwarded,
      EventTypes.PointsAwarded,
      EventTypes.LevelReached,
      EventTypes.LevelReached,
    ]);
    expect(player.changes.slice(2).map((e) => e.data.level)).toEqual([2, 3]);
    expect(player.changes.map((e) => e.version)).toEqual([1, 2, 3, 4]);
    expect(player.state.level).toBe(3);
  });

  it('redeems from the balance but never below zero', () => {
    // Given a player with 100 points
    const player = new Player('p1');
    player.awardPoints(100, 'start');
    // When 60 are redeemed, and then 60 more
    player.redeem(60, 'coffee voucher');
    // Then the first leaves 40 (lifetime points stay), the second is refused with nothing raised
    expect(player.state).toMatchObject({ points: 40, lifetimePoints: 100, redemptions: 1 });
    expect(() => player.redeem(60, 'coffee voucher')).toThrow(InsufficientPointsError);
    expect(player.changes).toHaveLength(3); // award, level 2, redeem
  });

  it('refuses points that are not positive integers', () => {
    const player = new Player('p1');
    for (const bad of [0, -5, 1.5, Number.NaN]) {
      expect(() => player.awardPoints(bad, 'x')).toThrow(ValidationError);
      expect(() => player.redeem(bad, 'x')).toThrow(ValidationError);
    }
    expect(player.changes).toHaveLength(0);
  });

  it('earns each badge once', () => {
    const player = new Player('p1');
    expect(player.earnBadge('rookie')).toBe(true);
    expect(player.earnBadge('rookie')).toBe(false);
    expect(player.changes).toHaveLength(1);
    expect(player.state.badges).toEqual(['rookie']);
  });

  it('rebuilds the same state from its history', () => {
    // Given a player's events
    const original = new Player('p1');
    original.awardPoints(350, 'a');
    original.redeem(50, 'b');
    original.earnBadge('rookie');
    // When a fresh instance loads them
    const loaded = new Player('p1');
    loaded.loadFromHistory(original.changes);
    // Then it has the same state and no pending changes
    expect(loaded.state).toEqual(original.state);
    expect(loaded.changes).toHaveLength(0);
  });

  it('uses a level curve where each level costs 100 more than the last', () => {
    expect([1, 2, 3, 4, 5].map(pointsForLevel)).toEqual([0, 100, 300, 600, 1000]);
    expect([0, 99, 100, 299, 300, 1000].map(levelFor)).toEqual([1, 1, 2, 2, 3, 5]);
  });
});

describe('Player, given–when–then (@herald/testing scenario)', () => {
  const player = (id: string) => new Player(id);

  it('a player at 950 lifetime points crossing 1000 reaches level 5', async () => {
    await scenario(player)
      .given([
        { type: EventTypes.PointsAwarded, data: { points: 950, reason: 'import', balance: 950, lifetimePoints: 950 } },
        { type: EventTypes.LevelReached, data: { level: 4, lifetimePoints: 950 } },
      ])
      .when((p) => p.awardPoints(60, 'quiz answered'))
      .then([
        { type: EventTypes.PointsAwarded, data: { points: 60, reason: 'quiz answered', balance: 1010, lifetimePoints: 1010 } },
        { type: EventTypes.LevelReached, data: { level: 5, lifetimePoints: 1010 } },
      ]);
  });

  it('redeeming more than the balance throws and raises nothing', async () => {
    await scenario(player)
      .given([{ type: EventTypes.PointsAwarded, data: { points: 30, reason: 'x', balance: 30, lifetimePoints: 30 } }])
      .when((p) => p.redeem(31, 'gift card'))
      .thenThrows(InsufficientPointsError, /balance is 30/);
  });

  it('a badge the player has is not raised again', async () => {
    await scenario(player)
      .given([{ type: EventTypes.BadgeEarned, data: { badge: 'rookie' } }])
      .when((p) => p.earnBadge('rookie'))
      .then([]);
  });
});
