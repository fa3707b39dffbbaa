import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createDomainEvent } from '@herald/core';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStreamsEventBus } from '../src/index.js';
import { adminClient, deleteKeys, killClients, REDIS_URL, unique, until } from './support/redis.js';

const TOTAL = 3_000;
const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = `${here}../test-results/loss-worker`;
const admin = adminClient();
const names = unique('loss');
const handledKey = `${names.prefix}handled`;
const children: ChildProcess[] = [];

/** Starts one group member in its own Node process; resolves once it has subscribed. */
async function member(label: string): Promise<ChildProcess> {
  const child = fork(`${outDir}/loss-worker.js`, [], {
    env: {
      ...process.env,
      LOSS_REDIS_URL: REDIS_URL,
      LOSS_PREFIX: names.prefix,
      LOSS_CONNECTION_NAME: `${names.connectionName}-${label}`,
      LOSS_HANDLED_KEY: handledKey,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`member ${label} exited (${code}) before it subscribed`)));
  });
  return child;
}

async function handledCounts(): Promise<number[]> {
  return (await admin.hvals(handledKey)).map(Number);
}

beforeAll(async () => {
  // The member runs this package's source in plain Node: bundle it (its dependencies stay external).
  await build({
    entry: { 'loss-worker': `${here}support/loss-worker.ts` },
    outDir,
    format: ['esm'],
    target: 'node20',
    external: ['ioredis', /^@herald\//],
    silent: true,
    config: false,
  });
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await deleteKeys(admin, names.prefix);
  await admin.quit();
});

describe('RedisStreamsEventBus loss test', () => {
  it('loses no event of 3,000 when one member is SIGKILLed and the other loses its connection twice', async () => {
    // Given a group of two members, each in its own process
    const a = await member('a');
    const b = await member('b');
    const publisher = new RedisStreamsEventBus({ redis: REDIS_URL, prefix: names.prefix, connectionName: `${names.connectionName}-pub`, partitions: 2 });
    const ids: string[] = [];

    // When 3,000 events are published in batches while the faults happen mid-stream
    const faults: string[] = [];
    let published = 0;
    const publishing = (async () => {
      for (let batch = 0; batch < TOTAL / 100; batch++) {
        const events = Array.from({ length: 100 }, (_, i) =>
          createDomainEvent({
            type: 'loss.item.sent',
            aggregateId: `agg-${(batch * 100 + i) % 37}`,
            aggregateType: 'Loss',
            data: { seq: batch * 100 + i },
            metadata: { source: 'loss-test', environment: 'test' },
          }),
        );
        for (const e of events) ids.push(e.id);
        await publisher.publishAll(events);
        published += events.length;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await until(async () => (await admin.hlen(handledKey)) >= 600, '600 events handled before the SIGKILL', 30_000);
    a.kill('SIGKILL');
    faults.push(`SIGKILL member a at ${await admin.hlen(handledKey)} handled`);
    await until(async () => (await admin.hlen(handledKey)) >= 1_200, '1,200 events handled before the first CLIENT KILL', 30_000);
    let killed = await killClients(admin, `${names.connectionName}-b:`);
    faults.push(`CLIENT KILL of member b's ${killed} connections at ${await admin.hlen(handledKey)} handled`);
    await until(async () => (await admin.hlen(handledKey)) >= 2_000, '2,000 events handled before the second CLIENT KILL', 30_000);
    killed = await killClients(admin, `${names.connectionName}-b:`);
    faults.push(`CLIENT KILL of member b's ${killed} connections at ${await admin.hlen(handledKey)} handled`);
    await publishing;
    await publisher.close();

    // Then every event is handled at least once (the survivor takes over what the killed member held)
    await until(async () => (await admin.hlen(handledKey)) === TOTAL, `all ${TOTAL} events handled`, 60_000);
    const counts = await handledCounts();
    const handledIds = new Set(await admin.hkeys(handledKey));
    const lost = ids.filter((id) => !handledIds.has(id)).length;
    const duplicates = counts.reduce((n, c) => n + c, 0) - counts.length;
    const report = { published, handled: counts.length, lost, duplicates, faults };
    console.log(`redis-streams loss test: ${JSON.stringify(report)}`);
    await mkdir(`${here}../test-results`, { recursive: true });
    await writeFile(`${here}../test-results/loss.json`, `${JSON.stringify(report, null, 2)}\n`);
    expect(published).toBe(TOTAL);
    expect(lost).toBe(0);
    expect(b.exitCode, 'the surviving member is still running').toBeNull();

    // And nothing is left pending in the group once the survivor is done
    await until(async () => {
      const pending = await Promise.all(publisher.streams.map((s) => admin.xpending(s, 'loss') as Promise<[number]>));
      return pending.every((p) => Number(p[0]) === 0);
    }, 'no entry left pending', 30_000);
    const exited = new Promise((resolve) => b.once('exit', resolve));
    b.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 180_000);
});
