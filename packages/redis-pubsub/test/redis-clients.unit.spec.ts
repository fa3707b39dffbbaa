import { createRedactor } from '@herald/core';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisPubSubEventBus } from '../src/index.js';
import { RedisClients, describeTarget, secretsOf } from '../src/redis-clients.js';

// No server needed: clients are created lazily and never connect here.
describe('RedisClients', () => {
  it('names its connections and turns off the offline queue, resending and auto-resubscribe', () => {
    const client = new RedisClients({ host: '127.0.0.1', port: 6390 }, 'svc').create('publisher');
    expect(client.options).toMatchObject({
      connectionName: 'svc:publisher',
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      port: 6390,
    });
    expect(client.status).toBe('wait');
  });

  it('duplicates a user instance without touching it', () => {
    const own = new Redis({ lazyConnect: true, port: 6391, password: 'secret-1' });
    const dup = new RedisClients(own, 'svc').create('subscriber');
    expect(dup).not.toBe(own);
    expect(dup.options).toMatchObject({ port: 6391, connectionName: 'svc:subscriber', enableOfflineQueue: false });
    expect(own.options.enableOfflineQueue).toBe(true);
    expect(secretsOf(dup)).toContain('secret-1');
    own.disconnect();
  });

  it('takes rediss:// URLs as TLS, and keeps the password out of the target description', () => {
    const client = new RedisClients('rediss://user:p%40ss@redis.example.com:6380/2', 'svc').create('publisher') as Redis;
    expect(client.options.tls).toBeDefined();
    expect(client.options).toMatchObject({ host: 'redis.example.com', port: 6380, db: 2, password: 'p@ss' });
    expect(describeTarget(client)).toBe('redis.example.com:6380');
    expect(createRedactor(secretsOf(client)).text('auth p@ss / p%40ss failed')).toBe('auth *** / *** failed');
  });

  it('rejects what is not a client, options or a redis URL', () => {
    expect(() => new RedisClients('http://x', 'svc')).toThrow(/redis:\/\//);
    expect(() => new RedisClients(undefined as never, 'svc')).toThrow();
  });

  it('takes an ioredis Cluster: the publisher is a Cluster, the subscriber a plain connection to one of its nodes', () => {
    // Given a user's Cluster that is not connected (no I/O in this test)
    const own = new Cluster([{ host: '127.0.0.1', port: 6397 }, { host: '127.0.0.1', port: 6398 }], {
      lazyConnect: true,
      redisOptions: { password: 'secret-2' },
    });

    // When the bus's clients are made from it
    const clients = new RedisClients(own, 'svc');
    const publisher = clients.create('publisher') as Cluster;
    const subscriber = clients.createSubscriber();

    // Then the publisher is a new Cluster with Herald's options on every node, and the subscriber a node connection
    expect(clients.cluster).toBe(true);
    expect(publisher).not.toBe(own);
    expect(publisher.isCluster).toBe(true);
    expect(publisher.options).toMatchObject({ enableOfflineQueue: false, enableAutoPipelining: false });
    expect(publisher.options.redisOptions).toMatchObject({ connectionName: 'svc:publisher', autoResendUnfulfilledCommands: false, password: 'secret-2' });
    expect(subscriber).toBeInstanceOf(Redis);
    expect(subscriber.options).toMatchObject({ host: '127.0.0.1', port: 6397, connectionName: 'svc:subscriber', autoResubscribe: false, password: 'secret-2' });
    expect(secretsOf(publisher)).toContain('secret-2');
    publisher.disconnect();
    subscriber.disconnect();
    own.disconnect();
  });

  it('validates the bus options synchronously, without I/O', () => {
    expect(() => new RedisPubSubEventBus({ redis: 'redis://127.0.0.1:6399', publishTimeoutMs: 0 })).toThrow(/publishTimeoutMs/);
    expect(() => new RedisPubSubEventBus({ redis: 'redis://127.0.0.1:6399', connectionName: 'has space' })).toThrow(/connectionName/);
    const bus = new RedisPubSubEventBus({ redis: 'redis://127.0.0.1:6399' });
    expect(bus.prefix).toBe('herald:');
    return bus.close();
  });
});
