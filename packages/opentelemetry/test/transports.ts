import type { EventBus, EventBusMiddleware } from '@herald/core';
import * as rabbitmq from '@herald/rabbitmq';
import * as redisPubSub from '@herald/redis-pubsub';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { TransportKit as SharedTransportKit, type TransportName } from '../../../tooling/test-support/transport-kit.js';

export { TRANSPORTS, type TransportName } from '../../../tooling/test-support/transport-kit.js';

/** Pairs of buses on a real transport, named after this package (see tooling/test-support/transport-kit.ts). */
export class TransportKit extends SharedTransportKit<EventBus, EventBusMiddleware> {
  constructor(transport: TransportName) {
    super(transport, { redisPubSub, rabbitmq, Redis, amqp }, 'otel');
  }
}
