import { InMemoryCheckpointStore, OutboxRelay, type Command, type CommandBus } from '@herald/core';
import { createTestKit, type TestKit } from '@herald/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awardPoints, redeemReward, registerPlayerCommands, type CommandResult } from '../src/domain/commands.js';
import { EventTypes, type PlayerEvent } from '../src/domain/events.js';
import { Player } from '../src/domain/player.js';
import { BadgePolicy, Badges, badgesEarnedBy } from '../src/policies/badge-policy.js';

function eventsOf(act: (p: Player) => void, given?: (p: Player) => void): PlayerEvent[] {
  const player = new Player('ada');
  given?.(player);
  player.markCommitted();
  act(player);
  return player.changes;
}

describe('badgesEarnedBy (the rules)', () => {
  it('a first award earns rookie', () => {
    expect(eventsOf((p) => p.awardPoints(10, 'x')).flatMap(badgesEarnedBy)).toEqual([Badges.Rookie]);
    expect(eventsOf((p) => p.awardPoints(10, 'x'), (p) => p.awardPoints(10, 'x')).flatMap(badgesEarnedBy)).toEqual([]);
  });

  it('crossing 1000 lifetime points earns high-roller, and reaching level 5 earns level-5', () => {
    const badges = eventsOf((p) => p.awardPoints(100, 'x'), (p) => p.awardPoints(950, 'x')).flatMap(badgesEarnedBy);
    expect(badges).toEqual([Badges.HighRoller, Badges.Level5]);
  });

  it('the first redemption earns first-reward, later ones nothing', () => {
    const first = eventsOf((p) => p.redeem(10, 'x'), (p) => p.awardPoints(50, 'x'));
    expect(first.flatMap(badgesEarnedBy)).toEqual([Badges.FirstReward]);
    const second = eventsOf((p) => p.redeem(10, 'x'), (p) => {
      p.awardPoints(50, 'x');
      p.redeem(10, 'x');
    });
    expect(second.flatMap(badgesEarnedBy)).toEqual([]);
  });
});

describe('BadgePolicy on the bus', () => {
  let kit: TestKit;
  let relay: OutboxRelay;
  let dispatched: Command[];

  beforeEach(async () => {
    kit = createTestKit();
    registerPlayerCommands(kit.commands, kit.repository((id) => new Player(id)));
    relay = new OutboxRelay(kit.store, kit.bus, new InMemoryCheckpointStore());
    // A command bus that records what the policy sends, then forwards it.
    dispatched = [];
    const recording: CommandBus = {
      register: (type, handler) => kit.commands.register(type, handler),
      dispatch: (command) => {
        dispatched.push(command);
        return kit.commands.dispatch(command);
      },
    };
    const policy = new BadgePolicy(recording);
    await kit.bus.subscribe(policy.pattern, policy, { concurrency: policy.concurrency });
  });
  afterEach(() => kit.close());

  /** Relay store → bus until nothing new is saved (the policy's commands save more events). */
  async function runToRest(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const published = await relay.drain();
      await kit.bus.settle();
      if (published === 0) return;
    }
    throw new Error('the policy did not come to rest within 10 rounds');
  }

  it('reacts to events with GrantBadge commands, chaining correlation and causation ids', async () => {
    // Given a player awarded points by a command
    const award = awardPoints('ada', 1200, 'season import', { correlationId: 'corr-42' });
    await kit.commands.dispatch<typeof award, CommandResult>(award);
    // When the events flow through the outbox to the policy, and its commands' events flow back
    await runToRest();
    // Then the player earned rookie, high-roller and level-5
    const history = await kit.store.getEvents('ada');
    const badges = history.filter((e) => e.type === EventTypes.BadgeEarned);
    expect(badges.map((e) => e.data.badge).sort()).toEqual([Badges.HighRoller, Badges.Level5, Badges.Rookie].sort());
    // And every link of the chain names its cause, under the first command's correlation id
    const byId = new Map(history.map((e) => [e.id, e]));
    for (const badge of badges) {
      const command = dispatched.find((c) => c.id === badge.metadata.causationId);
      expect(command, 'the GrantBadge command that caused the badge').toBeDefined();
      expect(command!.metadata.correlationId).toBe('corr-42');
      const cause = byId.get(command!.metadata.causationId as string);
      expect(cause?.metadata.causationId, 'the event that caused the command was caused by the award').toBe(award.id);
      expect(badge.metadata.correlationId).toBe('corr-42');
    }
  });

  it('a redelivered event does not grant a badge twice', async () => {
    await kit.commands.dispatch(awardPoints('ada', 60, 'x'));
    await kit.commands.dispatch(redeemReward('ada', 10, 'sticker pack'));
    await runToRest();
    // When every event is published again (what at-least-once delivery may do)
    for (const event of await kit.store.getAllEvents()) await kit.bus.publish(event);
    await runToRest();
    // Then each badge is still earned once
    const badges = (await kit.store.getEvents('ada')).filter((e) => e.type === EventTypes.BadgeEarned);
    expect(badges.map((e) => e.data.badge)).toEqual(expect.arrayContaining([Badges.Rookie, Badges.FirstReward]));
    expect(badges).toHaveLength(2);
  });
});
