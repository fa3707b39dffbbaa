import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ConcurrencyError, createDomainEvent } from '@herald/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisEventStore } from '../src/index.js';
import { deleteKeys, itIssuedNoKeysCommand, redisOptions, uniquePrefix } from './support/redis.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const admin = new Redis(redisOptions);
const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await deleteKeys(admin, p);
  admin.disconnect();
});

const event = (stream: string, writer: number) =>
  createDomainEvent({ type: 'race.entered', aggregateId: stream, aggregateType: 'Race', data: { writer }, metadata: { source: 't', environment: 't' } });

describe('concurrent writers', () => {
  it('exactly one of 20 writers on separate connections wins each version, 10 rounds running', async () => {
    // Given 20 stores over the same prefix, each on its own connection
    const prefix = uniquePrefix('race-conn');
    prefixes.push(prefix);
    const stores = Array.from({ length: 20 }, () => new RedisEventStore({ redis: redisOptions, prefix }));
    await Promise.all(stores.map((s) => s.getAllEvents(0, 1)));

    try {
      for (let round = 0; round < 10; round++) {
        // When all of them append expecting the same version
        const results = await Promise.allSettled(stores.map((s, i) => s.saveEvents('race', [event('race', i)], round)));

        // Then exactly one wins and the others get ConcurrencyError
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrencyError);
      }
      expect((await stores[0]!.getEvents('race')).map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  describe('across processes', () => {
    const children: ChildProcessWithoutNullStreams[] = [];
    const replies: Array<AsyncIterator<string>> = [];

    beforeAll(() => {
      // The child processes run the built package (plain node, no TypeScript loader).
      // CI builds before testing; a bare `vitest run` builds here once if needed.
      if (!existsSync(join(packageDir, 'dist', 'index.js'))) execFileSync('npx', ['tsup'], { cwd: packageDir, stdio: 'ignore' });
    });

    afterAll(() => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    });

    async function nextLine(i: number, what: string): Promise<string> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`writer process ${i} sent no "${what}" within 10 s`)), 10_000);
      });
      try {
        const next = await Promise.race([replies[i]!.next(), timeout]);
        if (next.done) throw new Error(`writer process ${i} exited before "${what}"`);
        return next.value;
      } finally {
        clearTimeout(timer);
      }
    }

    it('exactly one of 6 processes wins each version, 10 rounds running', async () => {
      // Given 6 writer processes connected to the same prefix
      const prefix = uniquePrefix('race-proc');
      prefixes.push(prefix);
      for (let i = 0; i < 6; i++) {
        const child = spawn(process.execPath, [join(packageDir, 'test', 'fixtures', 'race-writer.mjs'), prefix, String(redisOptions.host), String(redisOptions.port)], {
          cwd: packageDir,
        });
        children.push(child);
        replies.push(createInterface({ input: child.stdout })[Symbol.asyncIterator]());
      }
      for (let i = 0; i < children.length; i++) expect(await nextLine(i, 'ready')).toBe('ready');

      for (let round = 0; round < 10; round++) {
        // When all of them append expecting the same version at once
        for (const child of children) child.stdin.write(`race order-1 ${round}\n`);
        const answers = await Promise.all(children.map((_, i) => nextLine(i, `round ${round} answer`)));

        // Then exactly one won and all the others lost to a ConcurrencyError
        expect(answers.filter((a) => a === 'won'), `round ${round}: ${answers.join(', ')}`).toHaveLength(1);
        expect(answers.filter((a) => a === 'lost')).toHaveLength(children.length - 1);
      }
      for (const child of children) child.stdin.write('quit\n');

      const store = new RedisEventStore({ redis: redisOptions, prefix });
      expect((await store.getEvents('order-1')).map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      await store.close();
    });
  });
});

itIssuedNoKeysCommand();
