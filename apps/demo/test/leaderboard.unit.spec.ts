import { createDomainEvent, type DomainEvent } from '@herald/core';
import { createTestKit, type TestKit } from '@herald/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventTypes, type PlayerEvent } from '../src/domain/events.js';
import { Player } from '../src/domain/player.js';
import { Leaderboard } from '../src/projections/leaderboard.js';

/** The events a player raises for a script of actions, as the store would hand them out. */
function eventsOf(id: string, act: (p: Player) => void): PlayerEvent[] {
  const player = new Player(id);
  act(player);
  return player.changes;
}

describe('Leaderboard', () => {
  let kit: TestKit;
  let board: Leaderboard;

  beforeEach(async () => {
    kit = createTestKit();
    board = new Leaderboard();
    await kit.bus.subscribe(board.pattern, board, { concurrency: board.concurrency });
  });
  afterEach(() => kit.close());

  it('ranks players by lifetime points, fed by the bus', async () => {
    // Given three players' events on the bus
    await kit.bus.publishAll([
      ...eventsOf('ada', (p) => p.awardPoints(300, 'x')),
      ...eventsOf('bob', (p) => {
        p.awardPoints(500, 'x');
        p.redeem(400, 'gift card');
        p.earnBadge('first-reward');
      }),
      ...eventsOf('cy', (p) => p.awardPoints(300, 'x')),
    ]);
    // When they are handled
    await kit.bus.settle();
    // Then bob leads on lifetime points (redeeming does not cost rank); ada and cy tie, by id
    expect(board.top(3)).toEqual([
      { rank: 1, playerId: 'bob', lifetimePoints: 500, points: 100, level: 3, badges: 1 },
      { rank: 2, playerId: 'ada', lifetimePoints: 300, points: 300, level: 3, badges: 0 },
      { rank: 3, playerId: 'cy', lifetimePoints: 300, points: 300, level: 3, badges: 0 },
    ]);
    expect(board.totals()).toEqual({ players: 3, lifetimePoints: 1100, points: 700, badges: 1 });
  });

  it('ignores events that are not player events', async () => {
    const other: DomainEvent = createDomainEvent({
      type: EventTypes.PointsAwarded,
      aggregateId: 'shop-1',
      aggregateType: 'Shop',
      data: { points: 5, balance: 5, lifetimePoints: 5 },
      metadata: { source: 'test', environment: 'test' },
    });
    await kit.bus.publish(other);
    await kit.bus.settle();
    expect(board.size).toBe(0);
  });

  it('counts a duplicate or late event once (at-least-once delivery, replays)', () => {
    // Given a player's events delivered twice, the second time out of order
    const events = eventsOf('ada', (p) => {
      p.awardPoints(100, 'a');
      p.redeem(50, 'b');
      p.awardPoints(20, 'c');
      p.earnBadge('rookie');
    });
    for (const e of events) board.apply(e);
    for (const e of [...events].reverse()) board.apply(e);
    // Then the row is what the events say once
    expect(board.get('ada')).toEqual({ rank: 1, playerId: 'ada', lifetimePoints: 120, points: 70, level: 2, badges: 1 });
    expect(board.versionOf('ada')).toBe(events.length);
  });
});
