import { createRedactor, isHeraldError } from '@herald/core';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { checkRedisSource, createClient, describeTarget, isClusterClient, isRedisClient, secretsOf } from '../src/index.js';

// No server needed: every client here is lazy and never connects.
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('redis source helpers', () => {
  it('checks the redis option: URLs, clients, and a Cluster only where the package can use one', () => {
    expect(isHeraldError(thrown(() => checkRedisSource('http://x', { component: 'C', cluster: true })), 'VALIDATION')).toBe(true);
    expect(isHeraldError(thrown(() => checkRedisSource(undefined, { component: 'C', cluster: true })), 'VALIDATION')).toBe(true);
    const cluster = new Cluster([{ host: '127.0.0.1', port: 7001 }], { lazyConnect: true });
    expect(isClusterClient(cluster)).toBe(true);
    expect(isRedisClient(cluster)).toBe(true);
    expect(checkRedisSource(cluster, { component: 'C', cluster: true })).toBe(cluster);
    expect(isHeraldError(thrown(() => checkRedisSource(cluster, { component: 'C', cluster: false })), 'UNSUPPORTED')).toBe(true);
    cluster.disconnect();
  });

  it("duplicates a user's client with Herald's overrides and leaves the original alone", () => {
    const own = new Redis({ lazyConnect: true, port: 6391, password: 'secret-1' });
    const dup = createClient(own, { lazyConnect: true, enableOfflineQueue: false, connectionName: 'svc:x' }) as Redis;
    expect(dup).not.toBe(own);
    expect(dup.options).toMatchObject({ port: 6391, enableOfflineQueue: false, connectionName: 'svc:x' });
    expect(own.options.enableOfflineQueue).toBe(true);
    expect(secretsOf(dup)).toContain('secret-1');
    own.disconnect();
    dup.disconnect();
  });

  it('duplicates a Cluster with the overrides on every node connection, and describes it without credentials', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 7001 }], { lazyConnect: true, redisOptions: { password: 'p@ss' } });
    const dup = createClient(cluster, { lazyConnect: true, connectionName: 'svc:reader' }, { enableOfflineQueue: false }) as Cluster;
    expect(isClusterClient(dup)).toBe(true);
    expect(dup.options.redisOptions).toMatchObject({ connectionName: 'svc:reader', password: 'p@ss' });
    expect(dup.options.enableOfflineQueue).toBe(false);
    expect(describeTarget(dup)).toBe('cluster 127.0.0.1:7001');
    expect(createRedactor(secretsOf(dup)).text('auth p@ss failed')).toBe('auth *** failed');
    cluster.disconnect();
    dup.disconnect();
  });

  it('turns a URL into a client and describes it as host:port', () => {
    const client = createClient('rediss://user:p%40ss@redis.example.com:6380/2', { lazyConnect: true }) as Redis;
    expect(client.options).toMatchObject({ host: 'redis.example.com', port: 6380, db: 2, password: 'p@ss' });
    expect(describeTarget(client)).toBe('redis.example.com:6380');
    client.disconnect();
  });
});
