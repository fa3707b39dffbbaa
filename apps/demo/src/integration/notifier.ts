import type { BaseEvent, EventHandler, HandlerContext } from '@herald/core';
import type { Subscriber } from '../infrastructure/subscriber.js';
import { EventTypes, type LevelUpAnnounced } from '../domain/events.js';

export class NotificationUnavailableError extends Error {
  constructor(playerId: string) {
    super(`notification provider timed out for player ${playerId}`);
    this.name = 'NotificationUnavailableError';
  }
}

export interface NotifierOptions {
  /** Share (0–1) of events whose first delivery fails. Default 0.1. */
  failureRate?: number;
  /** Random source in [0, 1); the season passes a seeded one. */
  random?: () => number;
  /** Event ids remembered to tell a first delivery from a later one. Default 50,000. */
  memory?: number;
}

/**
 * Consumer of the level-up integration event that stands in for a push
 * notification provider with a flaky first attempt: the first delivery of an
 * event fails `failureRate` of the time, a later delivery (the bus's retry, or
 * a replay from the dead letters) goes through. With retries enabled nothing
 * is lost; with `EVENT_RETRY_MAX_ATTEMPTS=1` the failures dead-letter and a
 * replay delivers them.
 */
export class FlakyNotifier implements EventHandler<BaseEvent>, Subscriber {
  readonly pattern = EventTypes.LevelUpAnnounced;
  /**
   * Several at once, so one event waiting for its retry does not hold up the
   * others. At most 8: core's in-memory bus adds an abort listener per retry
   * wait to one signal, and Node warns past 10 (reported to core).
   */
  readonly concurrency = 8;
  private readonly failureRate: number;
  private readonly random: () => number;
  private readonly memory: number;
  private readonly seen = new Set<string>();
  private sent = 0;
  private failed = 0;

  constructor(options: NotifierOptions = {}) {
    this.failureRate = options.failureRate ?? 0.1;
    this.random = options.random ?? Math.random;
    this.memory = options.memory ?? 50_000;
  }

  async handle(event: BaseEvent, _ctx: HandlerContext): Promise<void> {
    const announcement = event as LevelUpAnnounced;
    if (!this.seen.has(event.id)) {
      this.remember(event.id);
      if (this.random() < this.failureRate) {
        this.failed++;
        throw new NotificationUnavailableError(announcement.payload.playerId);
      }
    }
    this.sent++;
  }

  /** Notifications delivered. */
  get sentCount(): number {
    return this.sent;
  }

  /** First deliveries that failed on purpose. */
  get failedCount(): number {
    return this.failed;
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > this.memory) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
