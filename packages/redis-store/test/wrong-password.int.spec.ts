import { inspect } from 'node:util';
import { createDomainEvent, isHeraldError } from '@herald/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CapturingLogger } from '../../../tooling/test-support/logs.js';
import { RedisEventStore, redisOptionsFromEnv } from '../src/index.js';
import { deleteKeys, itIssuedNoKeysCommand, redisOptions, uniquePrefix } from './support/redis.js';

// The local Redis has no password, so the test makes an ACL user with one and connects as it.
const admin = new Redis(redisOptions);
const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const username = `herald-test-user-${suffix}`;
const rightPassword = `right-${suffix}-Pa55word`;
const wrongPassword = `wrong-${suffix}-Pa55word`;
const prefix = uniquePrefix('auth');

beforeAll(async () => {
  await admin.call('ACL', 'SETUSER', username, 'on', `>${rightPassword}`, `~${prefix}*`, '+@all');
});
afterAll(async () => {
  await admin.call('ACL', 'DELUSER', username);
  await deleteKeys(admin, prefix);
  admin.disconnect();
});

function envWith(password: string): Record<string, string> {
  return {
    REDIS_EVENT_STORE_HOST: String(redisOptions.host),
    REDIS_EVENT_STORE_PORT: String(redisOptions.port),
    REDIS_EVENT_STORE_PASSWORD: password,
  };
}

const event = () =>
  createDomainEvent({ type: 'auth.tested', aggregateId: 'a', aggregateType: 'Auth', data: {}, metadata: { source: 't', environment: 't' } });

describe('connecting with a wrong password', () => {
  it('works with the right password (so the user really exists)', async () => {
    // Given the ACL user's right password from the environment
    const options = { ...redisOptionsFromEnv(envWith(rightPassword)), username };
    const store = new RedisEventStore({ redis: options, prefix });

    // When it appends
    const result = await store.saveEvents('a', [event()], 'any');

    // Then it succeeded
    expect(result.nextExpectedVersion).toBeGreaterThan(0);
    await store.close();
  });

  it('fails, and the password is in no error message and no log line', async () => {
    // Given the wrong password from the environment, a recording logger and a watch on the console
    const logger = new CapturingLogger();
    const consoleCalls: unknown[][] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        consoleCalls.push(args);
      }),
    );
    const options = { ...redisOptionsFromEnv(envWith(wrongPassword)), username };
    const store = new RedisEventStore({ redis: options, prefix, logger });

    try {
      // When it tries to append and to read
      const appendError = await store.saveEvents('a', [event()], 'any').then(
        () => undefined,
        (e: unknown) => e,
      );
      const readError = await store.getAllEvents(0, 10).then(
        () => undefined,
        (e: unknown) => e,
      );

      // Then both fail with a connection error (authentication refused) that nowhere holds the password
      for (const error of [appendError, readError]) {
        expect(error).toBeInstanceOf(Error);
        expect(isHeraldError(error, 'CONNECTION'), String(error)).toBe(true);
        expect((error as Error).message).toMatch(/WRONGPASS|NOAUTH|invalid username-password/i);
        expect((error as Error).message).not.toContain(wrongPassword);
        expect(String(error)).not.toContain(wrongPassword);
        expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(wrongPassword);
        expect(JSON.stringify(error)).not.toContain(wrongPassword);
      }
      // …the logger saw the connection error, without the password
      expect(logger.lines.length).toBeGreaterThan(0);
      expect(logger.text()).not.toContain(wrongPassword);
      for (const args of consoleCalls) expect(inspect(args, { depth: 10 })).not.toContain(wrongPassword);
    } finally {
      await store.close();
      for (const spy of spies) spy.mockRestore();
    }
  });
});

itIssuedNoKeysCommand();
