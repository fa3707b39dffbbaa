import {
  createSystemEvent,
  eventLogFields,
  toError,
  type BaseEvent,
  type EventBus,
  type EventHandler,
  type Logger,
} from '@herald/core';
import { EventTypes } from '../domain/events.js';

/**
 * Publishes `gamifier.system.*` events when something fails, so failures are
 * events like any other: visible on the bus, the dashboard and in metrics.
 * They carry identities and error text, never the failed event's payload.
 */
export class SystemEvents {
  private reported = 0;

  constructor(
    private readonly bus: Pick<EventBus, 'publish'>,
    private readonly origin: { source: string; environment: string },
    private readonly logger: Logger,
  ) {}

  /** A handler gave up on an event after its last attempt. */
  handlerFailed(component: string, error: Error, event: BaseEvent): Promise<void> {
    return this.report({
      type: EventTypes.HandlerFailed,
      level: 'error',
      component,
      message: `${component} gave up on ${event.type}: ${error.message}`,
      details: { eventId: event.id, eventType: event.type, error: { name: error.name, message: error.message } },
      metadata: { ...this.origin, correlationId: event.metadata.correlationId, causationId: event.id },
    });
  }

  /** A command failed for a reason other than its validation. */
  commandFailed(commandType: string, commandId: string, correlationId: string, error: Error): Promise<void> {
    return this.report({
      type: EventTypes.CommandFailed,
      level: 'error',
      component: 'command-bus',
      message: `${commandType} failed: ${error.message}`,
      details: { commandId, commandType, error: { name: error.name, message: error.message } },
      metadata: { ...this.origin, correlationId, causationId: commandId },
    });
  }

  /**
   * Wraps a handler so that, when its last attempt fails, a system event is
   * published (before the bus dead-letters the event).
   */
  reporting<T extends BaseEvent>(component: string, handler: EventHandler<T>): EventHandler<T> {
    const wrapped: EventHandler<T> = {
      handle: (event, ctx) => handler.handle(event, ctx),
      errorHandler: async (error, event) => {
        await handler.errorHandler?.(error, event);
        await this.handlerFailed(component, error, event);
      },
    };
    if (handler.filter) wrapped.filter = (event) => handler.filter!(event);
    if (handler.retryStrategy) wrapped.retryStrategy = handler.retryStrategy;
    return wrapped;
  }

  get reportedCount(): number {
    return this.reported;
  }

  private async report(input: Parameters<typeof createSystemEvent>[0]): Promise<void> {
    try {
      await this.bus.publish(createSystemEvent(input));
      this.reported++;
    } catch (error) {
      // Reporting a failure must never become a second failure.
      this.logger.error(
        { ...eventLogFields({ type: input.type }), error: toError(error).message },
        'could not publish system event',
      );
    }
  }
}
