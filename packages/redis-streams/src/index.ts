export { RedisStreamsEventBus } from './redis-streams-event-bus.js';
export { DEFAULT_PREFIX, type RedisStreamsEventBusOptions } from './options.js';
export { RedisStreamsConnectionError } from './link.js';
export { RedeliveryLimitError } from './stream-subscription.js';
export { KeyLayout } from './keys.js';
export type { RedisSource } from '@herald/redis-common';
export { redisStreamsOptionsFromEnv } from './env.js';
