import {
  CommandValidationError,
  createCommand,
  isHeraldError,
  sleep,
  type AggregateRepository,
  type Command,
  type CommandBus,
  type CommandHandler,
  type DomainEvent,
} from '@herald/core';
import { InsufficientPointsError, type Cause, type Player, type PlayerState } from './player.js';

export const CommandTypes = {
  AwardPoints: 'AwardPoints',
  RedeemReward: 'RedeemReward',
  GrantBadge: 'GrantBadge',
} as const;

export type AwardPoints = Command<{ playerId: string; points: number; reason: string }>;
export type RedeemReward = Command<{ playerId: string; points: number; reward: string }>;
export type GrantBadge = Command<{ playerId: string; badge: string }>;

/** What a successful command returns: the player after it and the events it saved. */
export interface CommandResult {
  state: PlayerState;
  events: DomainEvent[];
}

export const LIMITS = { maxPoints: 1_000_000, maxText: 200 } as const;
const PLAYER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A rejected command, naming the field at fault. `kind` tells the caller
 * whether the input was malformed ('invalid') or a business rule refused it
 * ('rule', e.g. not enough points).
 */
export class PlayerCommandRejected extends CommandValidationError {
  constructor(
    commandType: string,
    readonly field: string,
    readonly reason: string,
    readonly kind: 'invalid' | 'rule' = 'invalid',
  ) {
    super(commandType, `${commandType} rejected: ${field} ${reason}`);
  }
}

export type CommandMetadata = Partial<Command['metadata']>;

export function awardPoints(playerId: string, points: number, reason: string, metadata?: CommandMetadata): AwardPoints {
  return createCommand(CommandTypes.AwardPoints, { playerId, points, reason }, metadata);
}

export function redeemReward(playerId: string, points: number, reward: string, metadata?: CommandMetadata): RedeemReward {
  return createCommand(CommandTypes.RedeemReward, { playerId, points, reward }, metadata);
}

export function grantBadge(playerId: string, badge: string, metadata?: CommandMetadata): GrantBadge {
  return createCommand(CommandTypes.GrantBadge, { playerId, badge }, metadata);
}

export interface PlayerCommandsOptions {
  /** Reloads and retries a command this many times when another writer got there first. Default 10. */
  maxConcurrencyRetries?: number;
}

/** Registers AwardPoints, RedeemReward and GrantBadge on a command bus. */
export function registerPlayerCommands(
  bus: CommandBus,
  players: AggregateRepository<Player>,
  options: PlayerCommandsOptions = {},
): void {
  const retries = options.maxConcurrencyRetries ?? 10;

  /**
   * Load, act, save; on a concurrency conflict wait a random moment (so racing
   * writers spread out) then load again and redo the act.
   */
  async function execute(command: Command, act: (player: Player, cause: Cause) => void): Promise<CommandResult> {
    const playerId = String(command.payload.playerId);
    for (let attempt = 0; ; attempt++) {
      const player = await players.load(playerId);
      act(player, causeOf(command));
      try {
        const { events } = await players.save(player);
        return { state: player.state, events };
      } catch (error) {
        if (!isHeraldError(error, 'CONCURRENCY') || attempt >= retries) throw error;
        await sleep(Math.random() * Math.min(50, 2 ** attempt));
      }
    }
  }

  const award: CommandHandler<AwardPoints, CommandResult> = {
    validate(command) {
      const { playerId, points, reason } = command.payload;
      checkPlayerId(command.type, playerId);
      checkPoints(command.type, points);
      checkText(command.type, 'reason', reason);
      return true;
    },
    handle: (command) =>
      execute(command, (player, cause) =>
        player.awardPoints(command.payload.points, command.payload.reason, cause),
      ),
  };

  const redeem: CommandHandler<RedeemReward, CommandResult> = {
    async validate(command) {
      const { playerId, points, reward } = command.payload;
      checkPlayerId(command.type, playerId);
      checkPoints(command.type, points);
      checkText(command.type, 'reward', reward);
      const player = await players.load(playerId);
      if (points > player.state.points) {
        throw new PlayerCommandRejected(
          command.type,
          'points',
          `exceeds the balance (${player.state.points} available)`,
          'rule',
        );
      }
      return true;
    },
    handle: (command) =>
      execute(command, (player, cause) => {
        try {
          player.redeem(command.payload.points, command.payload.reward, cause);
        } catch (error) {
          // The balance changed between validate and handle.
          if (error instanceof InsufficientPointsError) {
            throw new PlayerCommandRejected(command.type, 'points', `exceeds the balance (${error.balance} available)`, 'rule');
          }
          throw error;
        }
      }),
  };

  const badge: CommandHandler<GrantBadge, CommandResult> = {
    validate(command) {
      checkPlayerId(command.type, command.payload.playerId);
      checkText(command.type, 'badge', command.payload.badge);
      return true;
    },
    handle: (command) => execute(command, (player, cause) => player.earnBadge(command.payload.badge, cause)),
  };

  bus.register(CommandTypes.AwardPoints, award);
  bus.register(CommandTypes.RedeemReward, redeem);
  bus.register(CommandTypes.GrantBadge, badge);
}

/** Events raised for a command continue its correlation id and name it as their cause. */
function causeOf(command: Command): Cause {
  const cause: Cause = { correlationId: command.metadata.correlationId, causationId: command.id };
  if (command.metadata.userId !== undefined) cause.userId = command.metadata.userId;
  return cause;
}

function checkPlayerId(type: string, playerId: unknown): void {
  if (typeof playerId !== 'string' || !PLAYER_ID.test(playerId)) {
    throw new PlayerCommandRejected(type, 'playerId', 'must be 1–64 letters, digits, "_" or "-"');
  }
}

function checkPoints(type: string, points: unknown): void {
  if (typeof points !== 'number' || !Number.isInteger(points) || points <= 0) {
    throw new PlayerCommandRejected(type, 'points', 'must be a positive integer');
  }
  if (points > LIMITS.maxPoints) {
    throw new PlayerCommandRejected(type, 'points', `must be at most ${LIMITS.maxPoints}`);
  }
}

function checkText(type: string, field: string, value: unknown): void {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new PlayerCommandRejected(type, field, 'must be a non-empty string');
  }
  if (value.length > LIMITS.maxText) {
    throw new PlayerCommandRejected(type, field, `must be at most ${LIMITS.maxText} characters`);
  }
}
