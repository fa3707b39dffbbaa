export { AmqpEventBus } from './amqp-event-bus.js';
export { AmqpConnectionError } from './errors.js';
export { amqpOptionsFromEnv } from './env.js';
export type { AmqpBroker, AmqpConnectionOptions, AmqpEventBusOptions } from './options.js';
