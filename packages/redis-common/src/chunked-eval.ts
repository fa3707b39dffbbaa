import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis-source.js';

/**
 * A batch sent as EVALs of a Lua loop, a chunk of items per EVAL: Redis runs a
 * script as one step, so each chunk is applied in order and whole, and the
 * client builds one command and parses one reply per chunk instead of one per
 * item, which is most of what a batch costs a Node process (measured on XADD:
 * 7 µs of client CPU per event against 14 µs for a pipeline of commands).
 *
 * EVAL, not EVALSHA: ioredis answers a NOSCRIPT (a server or node that has not
 * seen the script yet) by sending the chunk again as EVAL, and the chunks sent
 * behind it could run first. The script text is a few dozen bytes per chunk.
 */
export interface ChunkedEval {
  /** The Lua loop over ARGV; `stride` arguments per item. */
  script: string;
  /**
   * The script's keys. On a Cluster they pick the node every chunk goes to
   * (all in one slot), so chunks cannot overtake each other on different nodes.
   */
  keys: readonly string[];
  /** The items' arguments, `stride` per item, in order. */
  args: ReadonlyArray<string | Buffer>;
  stride: number;
  /** Items per EVAL, at most: big enough to amortise a command, small enough not to stall Redis for other clients. */
  chunk: number;
  /**
   * Adds item `item`'s work as a plain command to `pipeline`: what is sent instead, as one pipeline, for a
   * user whose ACL refuses scripts (`-@scripting`).
   */
  plain: (pipeline: ChainableCommander, item: number) => void;
  /**
   * The caller's bound, as a `performance.now()` reading: once the scripts were refused, the plain
   * commands are not sent past it. The caller has then already reported the batch as failed, and a
   * late write would append what it was told did not go out (a retry would duplicate it).
   */
  deadline?: number;
}

/**
 * Argument bytes per EVAL, at most (a chunk holds at least one item whatever its size): large events
 * make smaller chunks, so one script never carries, and holds Redis for, a hundred megabytes.
 * Counted in string length or Buffer bytes (UTF-8 can be up to 3 bytes per character: a bound of
 * the same order, not exact).
 */
export const MAX_CHUNK_BYTES = 1024 * 1024;

/**
 * The refusal to run EVAL itself ("no permissions to run the 'eval' command"), checked before a script
 * runs: nothing was applied. Not a refusal of a key ("… to access one of the keys …"), which says
 * nothing about scripts.
 */
const SCRIPTS_REFUSED = /NOPERM.*\beval\b/i;

/** Clients whose server refused a script with NOPERM: they go straight to the plain commands. */
const noScripts = new WeakSet<RedisClient>();

/**
 * Sends every chunk back to back on one connection (Redis runs them in this
 * order) and resolves once Redis ran them all; rejects with the first failure
 * once all settled. A first chunk refused to run EVAL (NOPERM, checked before a
 * script runs: nothing was applied) switches this client to the plain commands for good.
 *
 * Order, for a user without scripts: the first batch on a client learns of the refusal from Redis,
 * so its plain commands leave one round trip later; a command sent meanwhile without waiting for
 * the batch (a `publish()` of the same partition) can land before it.
 */
export async function evalInChunks(client: RedisClient, batch: ChunkedEval): Promise<void> {
  if (noScripts.has(client)) return withoutScripts(client, batch);
  const { script, keys, args, stride } = batch;
  const step = batch.chunk * stride;
  const chunks: Array<Promise<unknown>> = [];
  for (let start = 0; start < args.length; ) {
    const last = Math.min(start + step, args.length);
    // Whole items, up to `chunk` of them and MAX_CHUNK_BYTES (the first item always).
    let end = Math.min(start + stride, last);
    let bytes = sizeOf(args, start, end);
    while (end < last) {
      const next = Math.min(end + stride, last);
      bytes += sizeOf(args, end, next);
      if (bytes > MAX_CHUNK_BYTES) break;
      end = next;
    }
    const command: Array<string | Buffer> = new Array(keys.length + end - start);
    let j = 0;
    for (const key of keys) command[j++] = key;
    for (let i = start; i < end; i++) command[j++] = args[i]!;
    chunks.push(client.eval(script, keys.length, ...command));
    start = end;
  }
  const results = await Promise.allSettled(chunks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return;
  const error = failed.reason as Error;
  if (results[0]!.status === 'rejected' && SCRIPTS_REFUSED.test(String(error?.message))) {
    noScripts.add(client);
    if (batch.deadline !== undefined && performance.now() >= batch.deadline) {
      throw new Error('scripts are refused (NOPERM) and the bound passed before the plain commands could be sent');
    }
    return withoutScripts(client, batch);
  }
  throw error;
}

/** Every item's plain command in one pipeline; rejects with the first command's error. */
async function withoutScripts(client: RedisClient, batch: ChunkedEval): Promise<void> {
  const pipeline = client.pipeline();
  const items = batch.args.length / batch.stride;
  for (let i = 0; i < items; i++) batch.plain(pipeline, i);
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error);
  if (failed) throw failed[0];
}

function sizeOf(args: ReadonlyArray<string | Buffer>, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n += args[i]!.length;
  return n;
}
