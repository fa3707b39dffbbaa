import { AggregateRepository, CommandValidationError, EventDrivenCommandBus } from '@herald/core';
import { InMemoryEventStore } from '@herald/in-memory-store';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  PlayerCommandRejected,
  awardPoints,
  grantBadge,
  redeemReward,
  registerPlayerCommands,
  type CommandResult,
} from '../src/domain/commands.js';
import { EventTypes } from '../src/domain/events.js';
import { Player } from '../src/domain/player.js';

describe('player commands', () => {
  let store: InMemoryEventStore;
  let commands: EventDrivenCommandBus;

  beforeEach(() => {
    store = new InMemoryEventStore();
    commands = new EventDrivenCommandBus();
    registerPlayerCommands(commands, new AggregateRepository(store, (id) => new Player(id)));
  });

  const dispatch = (command: Parameters<EventDrivenCommandBus['dispatch']>[0]) =>
    commands.dispatch<typeof command, CommandResult>(command);

  it('AwardPoints saves the events to the player stream, linked to the command', async () => {
    // Given an AwardPoints command
    const command = awardPoints('p1', 120, 'challenge won', { correlationId: 'corr-1', userId: 'u1' });
    // When it is dispatched
    const result = await dispatch(command);
    // Then the stream holds the award and the level it reached, caused by the command
    const stored = await store.getEvents('p1');
    expect(stored.map((e) => e.type)).toEqual([EventTypes.PointsAwarded, EventTypes.LevelReached]);
    for (const event of stored) {
      expect(event.metadata).toMatchObject({ correlationId: 'corr-1', causationId: command.id, userId: 'u1' });
    }
    expect(result.state).toMatchObject({ points: 120, level: 2, version: 2 });
    expect(result.events.map((e) => e.id)).toEqual(stored.map((e) => e.id));
  });

  it.each([
    ['points', awardPoints('p1', 0, 'x')],
    ['points', awardPoints('p1', -3, 'x')],
    ['points', awardPoints('p1', 2.5, 'x')],
    ['points', awardPoints('p1', '10' as unknown as number, 'x')],
    ['points', awardPoints('p1', 5_000_000, 'x')],
    ['reason', awardPoints('p1', 10, '')],
    ['reason', awardPoints('p1', 10, 'x'.repeat(201))],
    ['playerId', awardPoints('not valid!', 10, 'x')],
    ['reward', redeemReward('p1', 10, '   ')],
  ])('rejects a bad %s with CommandValidationError naming it', async (field, command) => {
    // When a malformed command is dispatched
    const error = await dispatch(command).catch((e: unknown) => e);
    // Then it is a CommandValidationError naming the field, and nothing is stored
    expect(error).toBeInstanceOf(CommandValidationError);
    expect(error).toMatchObject({ field, kind: 'invalid' });
    expect(await store.getAllEvents()).toHaveLength(0);
  });

  it('RedeemReward needs enough points', async () => {
    // Given a player with 80 points
    await dispatch(awardPoints('p1', 80, 'start'));
    // When 100 are redeemed
    const error = await dispatch(redeemReward('p1', 100, 't-shirt')).catch((e: unknown) => e);
    // Then the command is refused by the rule, not as malformed
    expect(error).toBeInstanceOf(PlayerCommandRejected);
    expect(error).toMatchObject({ field: 'points', kind: 'rule' });
    // And 80 can be redeemed
    const result = await dispatch(redeemReward('p1', 80, 't-shirt'));
    expect(result.state.points).toBe(0);
  });

  it('GrantBadge is idempotent', async () => {
    await dispatch(grantBadge('p1', 'rookie'));
    const again = await dispatch(grantBadge('p1', 'rookie'));
    expect(again.events).toHaveLength(0);
    expect(await store.getEvents('p1')).toHaveLength(1);
  });

  it('retries on a concurrency conflict, so concurrent commands on one player all apply', async () => {
    // When 20 awards to the same player race each other
    await Promise.all(Array.from({ length: 20 }, (_, i) => dispatch(awardPoints('p1', 10, `race ${i}`))));
    // Then every one was applied exactly once
    const awards = (await store.getEvents('p1')).filter((e) => e.type === EventTypes.PointsAwarded);
    expect(awards).toHaveLength(20);
    expect(awards.at(-1)?.data.lifetimePoints).toBe(200);
  });
});
