export { AmqpEventBus } from './amqp-event-bus.js';
export { AmqpConnectionError } from './errors.js';
export type { AmqpBroker, AmqpConnectionOptions, AmqpEventBusOptions } from './options.js';
