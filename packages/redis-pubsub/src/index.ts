export { RedisPubSubEventBus } from './redis-pubsub-event-bus.js';
export { redisPubSubOptionsFromEnv } from './env.js';
export { DEFAULT_PREFIX, type RedisPubSubEventBusOptions } from './options.js';
export { RedisConnectionError } from './managed-connection.js';
export { deadLetterKeys } from '@herald/redis-common';
export { globsFor, type Glob } from './globs.js';
export type { RedisSource } from './redis-clients.js';
