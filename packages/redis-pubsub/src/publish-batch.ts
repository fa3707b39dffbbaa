import type { RedisClient } from '@herald/redis-common';

/**
 * publishAll's wire format: one EVAL per chunk of events, a Lua loop of
 * PUBLISH on the server. Redis runs a script as one step, so a chunk goes out
 * in order and whole; the client builds one command and parses one reply per
 * chunk instead of one per event, which is most of what a batch costs a
 * Node process. Where scripts are not allowed (ACL without @scripting) it
 * falls back to a plain pipeline of PUBLISH.
 *
 * EVAL, not EVALSHA: ioredis answers a NOSCRIPT (a server or node that has not
 * seen the script yet) by sending the chunk again as EVAL, and the chunks sent
 * behind it could run first. The script text is a few dozen bytes per chunk.
 *
 * On a Cluster the script takes the bus's route key as its one key, so
 * ioredis sends every chunk to that key's master (with no key it would pick a
 * random node per chunk, and chunks could overtake each other).
 */
const SCRIPT = "for i = 1, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end\nreturn #ARGV / 2";
const ONE_SCRIPT = "return redis.call('PUBLISH', ARGV[1], ARGV[2])";
/** Events per EVAL: big enough to amortise, small enough not to stall Redis. */
export const CHUNK = 100;

/**
 * A PUBLISH through the route key's master (a Cluster bus's `publish`): a
 * one-key script, since PUBLISH itself has no key and would go to a random node.
 */
export function publishRouted(client: RedisClient, route: string, channel: string, payload: string | Buffer): Promise<number> {
  return client.eval(ONE_SCRIPT, 1, route, channel, payload) as Promise<number>;
}

const noScripts = new WeakSet<RedisClient>();

/**
 * Publishes `payloads[i]` on `channels[i]`, in order. Resolves once Redis ran
 * every chunk. `route`: the Cluster route key (none on a standalone server).
 */
export async function publishBatch(
  client: RedisClient,
  channels: readonly string[],
  payloads: ReadonlyArray<string | Buffer>,
  route?: string,
): Promise<void> {
  if (noScripts.has(client)) return publishPipelined(client, channels, payloads);
  const lead = route === undefined ? 0 : 1;
  const chunks: Array<Promise<unknown>> = [];
  for (let start = 0; start < payloads.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, payloads.length);
    const args: Array<string | Buffer> = new Array((end - start) * 2 + lead);
    if (route !== undefined) args[0] = route;
    for (let i = start, j = lead; i < end; i++) {
      args[j++] = channels[i]!;
      args[j++] = payloads[i]!;
    }
    // Issued back to back: one connection, so Redis runs them in this order.
    chunks.push(client.eval(SCRIPT, lead, ...args));
  }
  const results = await Promise.allSettled(chunks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return;
  const error = failed.reason as Error;
  // NOPERM is checked before the script runs: nothing of the batch was published.
  if (results[0]!.status === 'rejected' && /NOPERM/.test(String(error?.message))) {
    noScripts.add(client);
    return publishPipelined(client, channels, payloads);
  }
  throw error;
}

async function publishPipelined(client: RedisClient, channels: readonly string[], payloads: ReadonlyArray<string | Buffer>): Promise<void> {
  const pipeline = client.pipeline();
  for (let i = 0; i < payloads.length; i++) pipeline.publish(channels[i]!, payloads[i]!);
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error);
  if (failed) throw failed[0];
}
