import { UnsupportedError, ValidationError } from '@herald/core';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/**
 * What a Redis package's `redis` option may be: an ioredis `Redis` or `Cluster`
 * the user owns (duplicated or used, never closed by Herald), ioredis options,
 * or a `redis://` / `rediss://` (TLS) URL.
 */
export type RedisSource = Redis | Cluster | RedisOptions | string;

/** Either kind of ioredis client: their command methods are the same. */
export type RedisClient = Redis | Cluster;

/**
 * Duck-typed so a client from another copy of ioredis is still recognised:
 * `instanceof` fails across two installed copies.
 */
export function isRedisClient(value: unknown): value is RedisClient {
  return (
    value instanceof Redis ||
    value instanceof Cluster ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as Redis).sendCommand === 'function' &&
      typeof (value as Redis).duplicate === 'function')
  );
}

/** True for an ioredis `Cluster` (ioredis marks it with `isCluster`). */
export function isClusterClient(value: unknown): value is Cluster {
  return typeof value === 'object' && value !== null && (value as { isCluster?: unknown }).isCluster === true;
}

/**
 * Checks a `redis` option and throws ValidationError naming what is wrong.
 * `cluster: false` refuses a Cluster with UnsupportedError (a package that
 * cannot run on one says so up front rather than failing on the first command).
 */
export function checkRedisSource(source: unknown, options: { component: string; cluster: boolean }): RedisSource {
  if (source === null || source === undefined || (typeof source !== 'string' && typeof source !== 'object')) {
    throw new ValidationError('redis', 'must be an ioredis client, ioredis options or a redis:// / rediss:// URL');
  }
  if (typeof source === 'string' && !/^rediss?:\/\//i.test(source)) {
    throw new ValidationError('redis', 'a URL must start with redis:// or rediss:// (TLS)');
  }
  if (!options.cluster && isClusterClient(source)) {
    throw new UnsupportedError('cluster', `${options.component} takes a standalone or Sentinel connection, not a Cluster`);
  }
  return source as RedisSource;
}

/**
 * A new client of the same kind and target as `source`, with Herald's
 * `overrides` on top of the user's options (for a Cluster they go to every
 * node connection, and `clusterOverrides` to the Cluster itself).
 */
export function createClient(source: RedisSource, overrides: RedisOptions, clusterOverrides: ClusterOptions = {}): RedisClient {
  if (typeof source === 'string') return new Redis(source, overrides);
  if (isClusterClient(source)) {
    const redisOptions = { ...source.options.redisOptions, ...overrides };
    return source.duplicate(undefined, { ...clusterOverrides, redisOptions, lazyConnect: overrides.lazyConnect ?? false });
  }
  if (isRedisClient(source)) return (source as Redis).duplicate(overrides);
  return new Redis({ ...source, ...overrides });
}

/** The secrets a client was configured with, for core's redactor (which also masks their URL-encoded forms). */
export function secretsOf(client: RedisClient): Array<string | undefined> {
  if (isClusterClient(client)) {
    const nodes = client.options.redisOptions ?? {};
    return [nodes.password, (nodes as RedisOptions).sentinelPassword];
  }
  const { password, sentinelPassword } = (client as Redis).options;
  return [password, sentinelPassword];
}

/** `host:port` (the socket path, the Sentinel master, or the Cluster's startup nodes) of a client, safe to log. */
export function describeTarget(client: RedisClient): string {
  if (isClusterClient(client)) {
    // startupNodes is not in ioredis's public typings; it is what the Cluster was built from.
    const startup = (client as unknown as { startupNodes: Array<string | number | { host?: string; port?: number }> }).startupNodes;
    const nodes = startup.map((n) =>
      typeof n === 'string' ? n.replace(/\/\/[^@/]*@/, '//') : typeof n === 'number' ? `127.0.0.1:${n}` : `${n.host ?? '127.0.0.1'}:${n.port ?? 6379}`,
    );
    return `cluster ${nodes.join(',')}`;
  }
  const { host, port, path, sentinels, name } = (client as Redis).options;
  if (path) return path;
  if (sentinels && sentinels.length > 0) return `sentinel master ${name ?? '?'}`;
  return `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}
