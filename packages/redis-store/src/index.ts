export { MAX_EVENTS_PER_APPEND, RedisEventStore, type RedisEventStoreOptions } from './redis-event-store.js';
export { RedisCheckpointStore, type RedisCheckpointStoreOptions } from './redis-checkpoint-store.js';
export { redisOptionsFromEnv } from '@herald/redis-common';
export { encodeStreamId, keyLayout, DEFAULT_PREFIX, type KeyLayout } from './key-layout.js';
export type { RedisInput } from './connection.js';
export { RedisSnapshotStore, type RedisSnapshotStoreOptions } from './redis-snapshot-store.js';
export { RedisInbox, type RedisInboxOptions } from './redis-inbox.js';
