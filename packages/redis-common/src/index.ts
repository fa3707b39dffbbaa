export {
  checkRedisSource,
  createClient,
  describeTarget,
  isClusterClient,
  isRedisClient,
  secretsOf,
  type RedisClient,
  type RedisSource,
} from './redis-source.js';
export { evalInChunks, MAX_CHUNK_BYTES, type ChunkedEval } from './chunked-eval.js';
export { deadLetterKeys, RedisDeadLetterStore, type RunCommand } from './dead-letter-store.js';
export { busLinkState, type LinkState, type LinkStatus } from './link-state.js';
export { redisOptionsFromEnv } from './redis-config.js';
export { TickWrites } from './tick-writes.js';
