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
  return {
    [ATTR.system]: system,
    [ATTR.destination]: event.type,
    [ATTR.operationType]: 'send',
    [ATTR.operationName]: 'publish',
    [ATTR.messageId]: event.id,
    [ATTR.conversationId]: event.metadata.correlationId,
  };
}

/** Attributes of one CONSUMER span: operation `process`, with the subscription and the attempt. */
export function consumerAttributes(event: BaseEvent, ctx: HandlerContext, system: string): Attributes {
  const attributes: Attributes = {
    [ATTR.system]: system,
    [ATTR.destination]: event.type,
    [ATTR.operationType]: 'process',
    [ATTR.operationName]: 'process',
    [ATTR.messageId]: event.id,
    [ATTR.conversationId]: event.metadata.correlationId,
    [ATTR.subscription]: ctx.subscription.pattern,
    [ATTR.attempt]: ctx.attempt,
    [ATTR.maxAttempts]: ctx.maxAttempts,
  };
  if (ctx.subscription.group !== undefined) attributes[ATTR.consumerGroup] = ctx.subscription.group;
  return attributes;
}
