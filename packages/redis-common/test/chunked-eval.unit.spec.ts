import type { ChainableCommander } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { evalInChunks, MAX_CHUNK_BYTES, type RedisClient } from '../src/index.js';

/**
 * A client that records each EVAL (its key count and arguments) and answers with `reply`, and each
 * pipeline it executes (the items its plain commands were added for).
 */
function fakeClient(reply: (call: number) => Promise<unknown> = () => Promise.resolve(1)) {
  const calls: Array<{ numKeys: number; args: Array<string | Buffer> }> = [];
  const pipelines: number[][] = [];
  const client = {
    eval(_script: string, numKeys: number, ...args: Array<string | Buffer>) {
      calls.push({ numKeys, args });
      return reply(calls.length);
    },
    pipeline() {
      const items: number[] = [];
      return {
        items,
        async exec() {
          pipelines.push(items);
          return items.map(() => [null, 1]);
        },
      };
    },
  };
  return { client: client as unknown as RedisClient, calls, pipelines };
}

/** `plain` for the fake pipeline: records the item. */
const plain = (pipeline: ChainableCommander, item: number): void => void (pipeline as unknown as { items: number[] }).items.push(item);

describe('evalInChunks', () => {
  it('sends the items in order, chunk items per EVAL, each led by the keys', async () => {
    // Given 5 items of 2 arguments each and chunks of 2 items
    const { client, calls } = fakeClient();
    const args = ['c0', 'p0', 'c1', 'p1', 'c2', 'p2', 'c3', 'p3', 'c4', 'p4'];

    // When the batch is sent
    await evalInChunks(client, { script: 'return 1', keys: ['route'], args, stride: 2, chunk: 2, plain });

    // Then three EVALs went out, in order, each with the key first and whole items only
    expect(calls).toEqual([
      { numKeys: 1, args: ['route', 'c0', 'p0', 'c1', 'p1'] },
      { numKeys: 1, args: ['route', 'c2', 'p2', 'c3', 'p3'] },
      { numKeys: 1, args: ['route', 'c4', 'p4'] },
    ]);
  });

  it('rejects with the first failure once every chunk settled', async () => {
    // Given a server that fails the second chunk only
    const { client, calls } = fakeClient((n) => (n === 2 ? Promise.reject(new Error('LOADING')) : Promise.resolve(1)));

    // When a batch of three chunks is sent
    const error = await evalInChunks(client, { script: 's', keys: [], args: ['a', 'b', 'c'], stride: 1, chunk: 1, plain }).catch((e: unknown) => e);

    // Then all three were sent and the failure is the caller's
    expect(calls).toHaveLength(3);
    expect((error as Error).message).toBe('LOADING');
  });

  it('switches a client whose ACL refuses scripts to plain commands, for this batch and the next ones', async () => {
    // Given a server that answers every EVAL with NOPERM
    const { client, calls, pipelines } = fakeClient(() => Promise.reject(new Error("NOPERM this user has no permissions to run the 'eval' command")));
    const batch = { script: 's', keys: [], args: ['a', 'b'], stride: 1, chunk: 1, plain };

    // When two batches are sent
    await evalInChunks(client, batch);
    await evalInChunks(client, batch);

    // Then both went the plain way (each item once, in one pipeline), and the second tried no script
    expect(pipelines).toEqual([[0, 1], [0, 1]]);
    expect(calls).toHaveLength(2);
  });
});

describe('evalInChunks with large items', () => {
  it('closes a chunk before it passes MAX_CHUNK_BYTES, and sends an item larger than that on its own', async () => {
    // Given items of 400 KiB, one of 1.5 MiB, and chunks of up to 100 items
    const { client, calls } = fakeClient();
    const kib = (n: number) => 'x'.repeat(n * 1024);
    const args = [kib(400), kib(400), kib(400), kib(1536), kib(400)];

    // When the batch is sent
    await evalInChunks(client, { script: 's', keys: ['k'], args, stride: 1, chunk: 100, plain });

    // Then no EVAL carries more than 1 MiB unless it holds a single item, and every item went once, in order
    expect(calls.map((c) => c.args.length - 1)).toEqual([2, 1, 1, 1]);
    expect(calls.flatMap((c) => c.args.slice(1))).toEqual(args);
    for (const c of calls) {
      const bytes = c.args.slice(1).reduce((n, a) => n + a.length, 0);
      if (c.args.length > 2) expect(bytes).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
    }
  });
});

describe('evalInChunks when scripts are refused', () => {
  it('keeps using scripts after a refusal of a key, which says nothing about scripts', async () => {
    // Given a server that refuses the first batch's key, then accepts
    let refuse = true;
    const { client, calls, pipelines } = fakeClient(() =>
      refuse ? Promise.reject(new Error('NOPERM this user has no permissions to access one of the keys used as arguments')) : Promise.resolve(1),
    );
    const batch = { script: 's', keys: ['k'], args: ['a'], stride: 1, chunk: 1, plain };

    // When a batch is refused and the next one is sent
    const error = await evalInChunks(client, batch).catch((e: unknown) => e);
    refuse = false;
    await evalInChunks(client, batch);

    // Then the refusal reached the caller, and the next batch went as a script again
    expect((error as Error).message).toMatch(/access one of the keys/);
    expect(pipelines).toHaveLength(0);
    expect(calls).toHaveLength(2);
  });

  it('does not send the plain commands once the caller\'s deadline passed', async () => {
    // Given a server that refuses scripts, and a caller whose bound has already passed when the refusal arrives
    const { client, pipelines } = fakeClient(() => Promise.reject(new Error("NOPERM this user has no permissions to run the 'eval' command")));

    // When a batch is sent
    const error = await evalInChunks(client, {
      script: 's',
      keys: [],
      args: ['a'],
      stride: 1,
      chunk: 1,
      plain,
      deadline: performance.now() - 1,
    }).catch((e: unknown) => e);

    // Then nothing is sent late: the batch fails
    expect(pipelines).toHaveLength(0);
    expect((error as Error).message).toMatch(/bound passed/);
  });
});
