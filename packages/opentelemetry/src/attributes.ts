import type { Attributes } from '@opentelemetry/api';
import type { BaseEvent, HandlerContext } from '@herald/core';

/**
 * Messaging semantic-convention attribute names
 * (https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/), spelled out
 * rather than imported so that `@opentelemetry/api` stays the only dependency.
 */
export const ATTR = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  messageId: 'messaging.message.id',
  conversationId: 'messaging.message.conversation_id',
  subscription: 'messaging.destination.subscription.name',
  consumerGroup: 'messaging.consumer.group.name',
  errorType: 'error.type',
  /** Herald-specific: the 1-based handling attempt and the attempts allowed. */
  attempt: 'herald.attempt',
  maxAttempts: 'herald.max_attempts',
} as const;

/** Attributes of the PRODUCER span: operation type `send` (the convention's replacement for `publish`), name `publish`. */
export function producerAttributes(event: BaseEvent, system: string): Attributes {
  // Literal keys (the same strings as ATTR): an object literal with computed keys is built
  // key by key at run time, a literal one from a shared template, several times faster.
  return {
    'messaging.system': system,
    'messaging.destination.name': event.type,
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'publish',
    'messaging.message.id': event.id,
    'messaging.message.conversation_id': event.metadata.correlationId,
  };
}

/** Attributes of one CONSUMER span: operation `process`, with the subscription and the attempt. */
export function consumerAttributes(event: BaseEvent, ctx: HandlerContext, system: string): Attributes {
  const attributes: Attributes = {
    'messaging.system': system,
    'messaging.destination.name': event.type,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.message.id': event.id,
    'messaging.message.conversation_id': event.metadata.correlationId,
    'messaging.destination.subscription.name': ctx.subscription.pattern,
    'herald.attempt': ctx.attempt,
    'herald.max_attempts': ctx.maxAttempts,
  };
  if (ctx.subscription.group !== undefined) attributes[ATTR.consumerGroup] = ctx.subscription.group;
  return attributes;
}
