import { evalInChunks, type RedisClient } from '@herald/redis-common';

/**
 * publishAll's wire format: one EVAL per chunk of events, a Lua loop of
 * PUBLISH on the server (see evalInChunks: in order, each chunk whole, one
 * command per chunk). Where scripts are not allowed (ACL without @scripting)
 * it falls back to a plain pipeline of PUBLISH.
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

/**
 * Publishes `payloads[i]` on `channels[i]`, in order. Resolves once Redis ran
 * every chunk. `route`: the Cluster route key (none on a standalone server).
 * `deadline`: the publish bound, a `performance.now()` reading.
 */
export function publishBatch(
  client: RedisClient,
  channels: readonly string[],
  payloads: ReadonlyArray<string | Buffer>,
  route: string | undefined,
  deadline: number,
): Promise<void> {
  const args: Array<string | Buffer> = new Array(payloads.length * 2);
  for (let i = 0, j = 0; i < payloads.length; i++) {
    args[j++] = channels[i]!;
    args[j++] = payloads[i]!;
  }
  return evalInChunks(client, {
    script: SCRIPT,
    keys: route === undefined ? [] : [route],
    args,
    stride: 2,
    chunk: CHUNK,
    plain: (pipeline, i) => pipeline.publish(channels[i]!, payloads[i]!),
    deadline,
  });
}
