import { UnsupportedError, ValidationError } from '@herald/core';
import { Redis, type RedisOptions } from 'ioredis';

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

/** Creates the bus's connections from what the user passed. */
export class RedisClients {
  private readonly source: RedisSource;
  private readonly connectionName: string;

  constructor(source: RedisSource, connectionName: string) {
    if (source === null || source === undefined || (typeof source !== 'string' && typeof source !== 'object')) {
      throw new ValidationError('redis', 'must be an ioredis instance, ioredis options or a redis:// / rediss:// URL');
    }
    if (typeof source === 'object' && (source as { isCluster?: boolean }).isCluster === true) {
      throw new UnsupportedError('cluster', 'RedisPubSubEventBus takes a standalone or Sentinel connection, not a Cluster');
    }
    if (typeof source === 'string' && !/^rediss?:\/\//i.test(source)) {
      throw new ValidationError('redis', 'a URL must start with redis:// or rediss:// (TLS)');
    }
    this.source = source;
    this.connectionName = connectionName;
  }

  /** A new, not yet connected client named `<connectionName>:<role>` (see CLIENT LIST). */
  create(role: ConnectionRole, extra: RedisOptions = {}): Redis {
    const overrides: RedisOptions = { ...HERALD_OVERRIDES, ...extra, connectionName: `${this.connectionName}:${role}` };
    const source = this.source;
    if (typeof source === 'string') return new Redis(source, overrides);
    if (isClient(source)) return source.duplicate(overrides);
    return new Redis({ ...source, ...overrides });
  }
}

function isClient(source: Redis | RedisOptions): source is Redis {
  return typeof (source as Redis).duplicate === 'function' && typeof (source as Redis).sendCommand === 'function';
}

/** The secrets a client was configured with, for core's redactor (which also masks their URL-encoded forms). */
export function secretsOf(client: Redis): Array<string | undefined> {
  const { password, sentinelPassword } = client.options;
  return [password, sentinelPassword];
}

/** `host:port` (or the socket path) of a client, safe to log. */
export function describeTarget(client: Redis): string {
  const { host, port, path, sentinels, name } = client.options;
  if (path) return path;
  if (sentinels && sentinels.length > 0) return `sentinel master ${name ?? '?'}`;
  return `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}
