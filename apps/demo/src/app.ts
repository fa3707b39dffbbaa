import {
  AggregateRepository,
  EventDrivenCommandBus,
  InMemoryCheckpointStore,
  readHeadPosition,
  runProjection,
  type StoreSubscription,
  TimeoutError,
  isHeraldError,
  sleep,
  toError,
  type BaseEvent,
  type Command,
  type DeadLetterRecord,
  type Env,
  type Logger,
  type StoredEvent,
} from '@herald/core';
import {
  awardPoints,
  redeemReward,
  registerPlayerCommands,
  type CommandMetadata,
  type CommandResult,
} from './domain/commands.js';
import { SERVICE_NAME, type PlayerEvent } from './domain/events.js';
import { Player, type PlayerState } from './domain/player.js';
import { loadDemoConfig, type DemoConfig } from './infrastructure/config.js';
import { composeInfrastructure, type Infrastructure } from './infrastructure/compose.js';
import { FlowMonitor } from './infrastructure/flow-monitor.js';
import { createLogger } from './infrastructure/logger.js';
import { RelayPump } from './infrastructure/relay-pump.js';
import type { Subscriber } from './infrastructure/subscriber.js';
import { SystemEvents } from './infrastructure/system-events.js';
import { AuditTrail } from './integration/audit-trail.js';
import { LevelUpAnnouncer } from './integration/level-up-announcer.js';
import { FlakyNotifier } from './integration/notifier.js';
import { BadgePolicy } from './policies/badge-policy.js';
import { Leaderboard } from './projections/leaderboard.js';

export interface GamifierOptions {
  env?: Env;
  config?: DemoConfig;
  logger?: Logger;
  /** Random source for the flaky notifier (the season passes a seeded one). */
  random?: () => number;
  /** Redis key prefix of the store; see composeInfrastructure. */
  storePrefix?: string;
  /** Prefix of the bus's channels and queues. */
  busPrefix?: string;
  /**
   * Subscribe in named consumer groups where the transport has them, so a
   * RabbitMQ subscriber's queue outlives a restart (the HTTP service). The
   * season uses plain subscriptions that vanish with it.
   */
  durableSubscriptions?: boolean;
}

/** Player snapshots: one every this many events (demo players have 5–40 events each). */
export const PLAYER_SNAPSHOT_EVERY = 10;

/** A dead letter as the API and the summary show it. */
export interface DeadLetterView {
  id: string;
  eventId: string;
  eventType: string;
  /** `player-042 v7` for a domain event, `gamifier/level-up` for an integration event, the component for a system event. */
  subject: string;
  /** The handler that gave up (by name when this process saw it happen). */
  handler: string;
  pattern: string;
  error: { name: string; message: string };
  attempts: number;
  failedAt: string;
  event?: BaseEvent;
}

export interface PlayerView {
  state: PlayerState;
  history: StoredEvent[];
}

/**
 * The Gamifier service: the Player aggregate behind a command bus, the outbox
 * relay from the store to the bus, and the subscribers that react — the
 * leaderboard, the badge policy, the level-up announcer, the notifier and the
 * audit trail — all on whichever transport and store the environment chose.
 */
export class Gamifier {
  readonly commands = new EventDrivenCommandBus();
  readonly leaderboard = new Leaderboard();
  readonly auditTrail = new AuditTrail();
  readonly notifier: FlakyNotifier;
  readonly badgePolicy: BadgePolicy;
  readonly announcer: LevelUpAnnouncer;
  readonly systemEvents: SystemEvents;
  readonly players: AggregateRepository<Player>;
  readonly relay: RelayPump;
  /**
   * The leaderboard's checkpoint lives with its read model, in this process's
   * memory: both start empty together, so a restart rebuilds the leaderboard
   * from position 1 (a checkpoint in Redis would skip the events of a read model
   * that no longer exists).
   */
  readonly leaderboardCheckpoints = new InMemoryCheckpointStore();
  private leaderboardRun: StoreSubscription | undefined;
  private closed: Promise<void> | undefined;
  private saved = 0;

  private constructor(
    readonly config: DemoConfig,
    readonly infrastructure: Infrastructure,
    readonly logger: Logger,
    readonly monitor: FlowMonitor,
    options: GamifierOptions,
  ) {
    const { bus, store, checkpoints, snapshots, upcasters } = infrastructure;
    const origin = { source: SERVICE_NAME, environment: config.environment };
    this.relay = new RelayPump(store, bus, checkpoints, { logger });
    // Saved events reach the bus only through the relay, which the store wakes on every append.
    const onSaved = (count: number) => {
      this.saved += count;
    };
    this.players = new (class extends AggregateRepository<Player> {
      override async save(player: Player) {
        const saved = await super.save(player);
        if (saved.events.length > 0) onSaved(saved.events.length);
        return saved;
      }
    })(store, (id) => new Player(id, origin), { upcasters, snapshots: { store: snapshots, every: PLAYER_SNAPSHOT_EVERY }, logger });
    registerPlayerCommands(this.commands, this.players);
    this.systemEvents = new SystemEvents(bus, origin, logger);
    this.badgePolicy = new BadgePolicy(this.commands);
    this.announcer = new LevelUpAnnouncer(bus);
    this.notifier = new FlakyNotifier({
      failureRate: config.notifierFailureRate,
      ...(options.random ? { random: options.random } : {}),
    });
  }

  static async start(options: GamifierOptions = {}): Promise<Gamifier> {
    const env = options.env ?? process.env;
    const config = options.config ?? loadDemoConfig(env, { logLevel: 'warn' });
    const logger = options.logger ?? createLogger(config.logLevel);
    const monitor = new FlowMonitor();
    const infrastructure = await composeInfrastructure({
      config,
      env,
      logger,
      middleware: [monitor.middleware],
      ...(options.storePrefix ? { storePrefix: options.storePrefix } : {}),
      ...(options.busPrefix ? { busPrefix: options.busPrefix } : {}),
    });
    const app = new Gamifier(config, infrastructure, logger, monitor, options);
    try {
      app.leaderboardRun = runProjection(infrastructure.store, app.leaderboard, {
        checkpoints: app.leaderboardCheckpoints,
        batchSize: 500,
        pollIntervalMs: 200,
        logger,
      });
      await app.subscribeAll(options.durableSubscriptions ?? false);
      app.relay.start();
    } catch (error) {
      await infrastructure.close();
      throw error;
    }
    logger.info({ ...infrastructure.description }, 'gamifier started');
    return app;
  }

  /** Events this process saved to the store (the outbox relay's to-do list). */
  get savedCount(): number {
    return this.saved;
  }

  get bus() {
    return this.infrastructure.bus;
  }

  /** Dispatches a command; failures other than validation are also announced as system events. */
  async dispatch(command: Command): Promise<CommandResult> {
    try {
      return await this.commands.dispatch<Command, CommandResult>(command);
    } catch (thrown) {
      const error = toError(thrown);
      if (!isHeraldError(error, 'COMMAND_VALIDATION')) {
        this.logger.error({ commandId: command.id, commandType: command.type, error: error.message }, 'command failed');
        await this.systemEvents.commandFailed(command.type, command.id, command.metadata.correlationId, error);
      }
      throw error;
    }
  }

  award(playerId: string, points: number, reason: string, metadata?: CommandMetadata): Promise<CommandResult> {
    return this.dispatch(awardPoints(playerId, points, reason, metadata));
  }

  redeem(playerId: string, points: number, reward: string, metadata?: CommandMetadata): Promise<CommandResult> {
    return this.dispatch(redeemReward(playerId, points, reward, metadata));
  }

  /** A player's state and full event history; undefined when the player has no events. */
  async player(playerId: string): Promise<PlayerView | undefined> {
    const history = await this.infrastructure.store.getEvents(playerId);
    if (history.length === 0) return undefined;
    const player = new Player(playerId);
    player.loadFromHistory(history as unknown as PlayerEvent[]);
    return { state: player.state, history };
  }

  /** The bus's dead letters, oldest first. */
  async deadLetters(limit?: number): Promise<DeadLetterView[]> {
    const records = await this.bus.deadLetters.list(limit);
    return records.map((r) => this.describe(r));
  }

  /**
   * Resolves when the system is at rest: every stored event published, every
   * published event seen by the monitor, no handler running or waiting for a
   * retry, and nothing happening for `quietMs`. Rejects with TimeoutError.
   */
  async settle(timeoutMs = 60_000, quietMs = 150): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const a = this.monitor.activity;
      if (
        a.inFlight === 0 &&
        a.awaitingRetry === 0 &&
        a.delivered >= a.published &&
        a.idleMs >= quietMs &&
        (await this.relay.caughtUp()) &&
        (await this.leaderboardCaughtUp())
      ) {
        return;
      }
      if (Date.now() > deadline) {
        throw new TimeoutError(
          `not settled after ${timeoutMs} ms: ${a.inFlight} handlers running, ${a.awaitingRetry} waiting to retry, ` +
            `${a.published} published, ${a.delivered} delivered`,
        );
      }
      await sleep(25);
    }
  }

  /** Stops the relay, then closes the bus (waiting for handlers) and the store. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.relay.close();
      await this.leaderboardRun?.close();
      await this.infrastructure.close();
    })();
    return this.closed;
  }

  private describe(record: DeadLetterRecord): DeadLetterView {
    const event = record.event as AnyEvent | undefined;
    const view: DeadLetterView = {
      id: record.id,
      eventId: event?.id ?? '',
      eventType: event?.type ?? '(undecodable message)',
      subject: subjectOf(event),
      handler: (event && this.monitor.deadLetteredBy(event.id, record.pattern)) ?? record.group ?? record.pattern,
      pattern: record.pattern,
      error: { name: record.error.name, message: record.error.message },
      attempts: record.attempts,
      failedAt: new Date(record.failedAt).toISOString(),
    };
    if (event) view.event = event;
    return view;
  }

  /** True when the leaderboard projection has applied every stored event. */
  async leaderboardCaughtUp(): Promise<boolean> {
    const next = this.leaderboardRun?.position;
    return next !== undefined && next > (await readHeadPosition(this.infrastructure.store));
  }

  private async subscribeAll(durable: boolean): Promise<void> {
    const { bus } = this.infrastructure;
    const subscribers: Array<[string, Subscriber]> = [
      ['badge-policy', this.badgePolicy],
      ['level-up-announcer', this.announcer],
      ['notifier', this.notifier],
      ['audit-trail', this.auditTrail],
    ];
    const grouped = durable && bus.capabilities.consumerGroups;
    for (const [name, subscriber] of subscribers) {
      const subscription = await bus.subscribe(subscriber.pattern, this.systemEvents.reporting(name, subscriber), {
        concurrency: subscriber.concurrency,
        ...(grouped ? { group: name } : {}),
      });
      this.monitor.name(subscription, name);
    }
    await this.monitor.tap(bus);
  }
}

/** Any of the three event kinds, read by duck typing. */
type AnyEvent = BaseEvent & { aggregateId?: string; service?: string; action?: string; component?: string };

function subjectOf(event: AnyEvent | undefined): string {
  if (!event) return '';
  if (typeof event.aggregateId === 'string') return `${event.aggregateId} v${event.version}`;
  if (typeof event.service === 'string') return `${event.service}/${event.action}`;
  return typeof event.component === 'string' ? event.component : '';
}
