import net from 'node:net';
import { createDomainEvent, isHeraldError, StoreClosedError, ValidationError } from '@herald/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisCheckpointStore, RedisEventStore } from '../src/index.js';
import { TcpProxy } from '../../../tooling/test-support/tcp-proxy.js';
import { until } from '../../../tooling/test-support/wait.js';
import { deleteKeys, itIssuedNoKeysCommand, listKeys, redisOptions, uniquePrefix } from './support/redis.js';

const admin = new Redis(redisOptions);
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(admin, prefix);
  admin.disconnect();
});

function prefix(): string {
  const p = uniquePrefix('conn');
  prefixes.push(p);
  return p;
}

function event(streamId: string) {
  return createDomainEvent({
    type: 'conn.tested',
    aggregateId: streamId,
    aggregateType: 'Conn',
    data: {},
    metadata: { source: 'test', environment: 'test' },
  });
}

describe('RedisEventStore connections', () => {
  it('leaves a client the user passed open on close(), and close() is idempotent', async () => {
    // Given a store over the user's client
    const client = new Redis(redisOptions);
    const store = new RedisEventStore({ redis: client, prefix: prefix() });
    await store.saveEvents('s', [event('s')], 0);

    // When the store is closed twice
    await store.close();
    await store.close();

    // Then the user's client still works, and the store refuses further calls
    expect(await client.ping()).toBe('PONG');
    const error = await store.getEvents('s').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreClosedError);
    expect(isHeraldError(error, 'STORE_CLOSED'), String(error)).toBe(true);
    await expect(store.saveEvents('s', [event('s')], 'any')).rejects.toBeInstanceOf(StoreClosedError);
    client.disconnect();
  });

  it('closes a client it created from options', async () => {
    // Given a store that opened its own connection
    const store = new RedisEventStore({ redis: redisOptions, prefix: prefix() });
    await store.saveEvents('s', [event('s')], 0);

    // When it is closed
    await store.close();

    // Then its client has ended
    expect(store.redis.status).toBe('end');
  });

  it('connects from a redis:// URL, lazily', async () => {
    // Given a store built from a URL
    const store = new RedisEventStore({ redis: `redis://${redisOptions.host}:${redisOptions.port}/0`, prefix: prefix() });

    // Then construction did not connect; the first call does
    expect(store.redis.status).toBe('wait');
    await store.saveEvents('s', [event('s')], 'no-stream');
    expect(await store.getEvents('s')).toHaveLength(1);
    await store.close();
  });

  it('turns on TLS for a rediss:// URL', async () => {
    // Given a store built from a rediss:// URL (never connected: the local Redis has no TLS)
    const store = new RedisEventStore({ redis: 'rediss://redis.example:6380', prefix: prefix() });

    // Then its client is configured for TLS, and closing an unconnected client is fine
    expect(store.redis.options.tls).toBeTruthy();
    expect(store.redis.options.port).toBe(6380);
    await store.close();
    expect(store.redis.status).toBe('end');
  });

  it('rejects with a ConnectionError naming the endpoint when nothing listens', async () => {
    // Given a store pointed at a port nothing listens on, giving up after one retry
    const port = await freePort();
    const store = new RedisEventStore({ redis: { host: '127.0.0.1', port, maxRetriesPerRequest: 1 }, prefix: prefix() });

    // When it reads
    const error = await store.getEvents('s').then(() => undefined, (e: unknown) => e);

    // Then the call is rejected with core's connection error, naming host and port
    expect(isHeraldError(error, 'CONNECTION'), String(error)).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    await store.close();
  });

  it('rejects with a ConnectionError after connectTimeoutMs when the server accepts but never answers', async () => {
    // Given a store behind a proxy that accepts connections and forwards nothing
    const proxy = new TcpProxy(Number(redisOptions.port));
    await proxy.start();
    proxy.blackhole();
    const store = new RedisEventStore({ redis: `redis://${proxy.address}`, prefix: prefix(), connectTimeoutMs: 300 });
    try {
      // When it reads and appends
      const errors = await Promise.all([
        store.getEvents('s').then(() => undefined, (e: unknown) => e),
        store.saveEvents('s', [event('s')], 'any').then(() => undefined, (e: unknown) => e),
      ]);

      // Then both reject with core's ConnectionError, naming the endpoint and the configured bound
      for (const error of errors) {
        expect(isHeraldError(error, 'CONNECTION'), String(error)).toBe(true);
        expect((error as Error).message).toContain(proxy.address);
        expect((error as Error).message).toContain('not ready within 300 ms');
      }
    } finally {
      await store.close();
      await proxy.stop();
    }
  });

  it('does not keep reconnecting after a failed first connection, and connects again on the next call', async () => {
    // Given a store pointed at a proxy that refuses connections
    const proxy = new TcpProxy(Number(redisOptions.port));
    await proxy.start();
    const address = proxy.address;
    await proxy.stop();
    const store = new RedisEventStore({ redis: `redis://${address}`, prefix: prefix() });

    // When a call fails to connect
    const error = await store.getEvents('s').then(() => undefined, (e: unknown) => e);
    expect(isHeraldError(error, 'CONNECTION'), String(error)).toBe(true);

    // Then the client stops (no reconnect loop holding the process open)…
    await until(() => store.redis.status === 'end', 'the client to end after the failed connection');

    // …and once the server is reachable the next call connects by itself
    await proxy.start();
    try {
      expect(await store.getEvents('s')).toEqual([]);
    } finally {
      await store.close();
      await proxy.stop();
    }
  });

  it('rejects a URL of another scheme and a missing redis option with ValidationError', () => {
    // Given an http:// URL, then no redis option at all
    // When a store is constructed
    // Then construction throws, naming the redis option
    for (const redis of ['http://localhost:6379', undefined as unknown as string]) {
      expect(() => new RedisEventStore({ redis })).toThrow(ValidationError);
      expect(() => new RedisEventStore({ redis })).toThrow(/^redis:/);
    }
  });

  it('keeps every key of a store under its prefix, in one hash slot', async () => {
    // Given a store with streams whose ids contain separators and braces
    const p = prefix();
    const store = new RedisEventStore({ redis: redisOptions, prefix: p });
    const checkpoints = new RedisCheckpointStore({ redis: store.redis, prefix: p });
    await store.saveEvents('a:{b}', [event('a:{b}')], 0);
    await store.saveEvents('plain', [event('plain')], 0);
    await checkpoints.save('relay', 2);

    // When the keys under the prefix are listed
    const keys = await listKeys(admin, p);

    // Then they are exactly the layout's keys, all sharing one hash tag
    expect(keys).toEqual(
      [store.keys.checkpoints, store.keys.events, store.keys.head, store.keys.stream('a:{b}'), store.keys.stream('plain')].sort(),
    );
    expect(new Set(keys.map((k) => /\{([^}]*)\}/.exec(k)?.[1]))).toEqual(new Set(['es']));
    expect(await checkpoints.load('relay')).toBe(2);
    expect(await checkpoints.load('other')).toBeUndefined();
    await checkpoints.close();
    await store.close();
  });
});

/** A port nothing listens on (listened on once, then closed). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

itIssuedNoKeysCommand();
