import {
  causedBy,
  createIntegrationEvent,
  type BaseEvent,
  type EventBus,
  type EventHandler,
} from '@herald/core';
import type { Subscriber } from '../infrastructure/subscriber.js';
import {
  EventTypes,
  SERVICE_NAME,
  type LevelReached,
  type LevelReachedData,
  type LevelUpAnnounced,
  type LevelUpPayload,
} from '../domain/events.js';

/** Builds the integration event other services hear when a player levels up. */
export function levelUpAnnouncement(event: LevelReached): LevelUpAnnounced {
  return createIntegrationEvent<LevelUpPayload>({
    type: EventTypes.LevelUpAnnounced,
    service: SERVICE_NAME,
    action: 'level-up',
    payload: { playerId: event.aggregateId, level: (event.data as LevelReachedData).level },
    metadata: causedBy(event),
  });
}

/**
 * Translates the internal `gamifier.level.reached` domain event into the
 * public `gamifier.integration.level-up` integration event: other services
 * depend on this stable contract, never on the Player aggregate's events.
 * It inherits the bus's delivery guarantee for the domain event it reacts to.
 */
export class LevelUpAnnouncer implements EventHandler<BaseEvent>, Subscriber {
  readonly pattern = EventTypes.LevelReached;
  readonly concurrency = 4;
  private announced = 0;

  constructor(private readonly bus: Pick<EventBus, 'publish'>) {}

  async handle(event: BaseEvent): Promise<void> {
    await this.bus.publish(levelUpAnnouncement(event as LevelReached));
    this.announced++;
  }

  get announcedCount(): number {
    return this.announced;
  }
}
