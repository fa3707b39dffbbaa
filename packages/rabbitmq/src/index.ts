export { RabbitMQEventBus } from './rabbitmq-event-bus.js';
export type { DeadLetterRoute, RabbitMQConnectionOptions, RabbitMQEventBusOptions, QueueType } from './options.js';
export type { ConsumerCancelled } from './consumer.js';
export { QueueArgumentsMismatchError, RabbitMQConnectionError } from './errors.js';
export { UnroutableError } from './confirm-publisher.js';
export { delayBucket } from './retry-router.js';
export { rabbitOptionsFromEnv } from './env.js';
