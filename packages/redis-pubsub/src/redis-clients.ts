import { checkRedisSource, createClient } from '@herald/redis-common';
import type { Redis, RedisOptions } from 'ioredis';

export { describeTarget, secretsOf } from '@herald/redis-common';

/** What `redis` may be: an ioredis instance (duplicated, never used or closed by the bus), options, or a URL. */
export type RedisSource = Redis | RedisOptions | string;

export type ConnectionRole = 'publisher' | 'subscriber' | 'admin';

/**
 * The options Herald needs on its own connections, whatever the user's are:
 * - connect on first use (constructors are synchronous and do no I/O);
 * - no offline queue and no resending after a reconnect: a publish is either
 *   sent on a live connection or rejected within the bound, never sent
 *   later behind the caller's back;
 * - subscriptions are restored by SubscriberConnection, not by ioredis.
 */
const HERALD_OVERRIDES: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  autoResubscribe: false,
};

/** Creates the bus's connections from what the user passed (checks and creation shared by the Redis packages). */
export class RedisClients {
  private readonly source: RedisSource;
  private readonly connectionName: string;

  constructor(source: RedisSource, connectionName: string) {
    this.source = checkRedisSource(source, { component: 'RedisPubSubEventBus', cluster: false }) as RedisSource;
    this.connectionName = connectionName;
  }

  /** A new, not yet connected client named `<connectionName>:<role>` (see CLIENT LIST). */
  create(role: ConnectionRole, extra: RedisOptions = {}): Redis {
    return createClient(this.source, { ...HERALD_OVERRIDES, ...extra, connectionName: `${this.connectionName}:${role}` }) as Redis;
  }
}
