import type { Redis } from 'ioredis';

/**
 * publishAll's wire format: one EVALSHA per chunk of events, a Lua loop of
 * PUBLISH on the server. Redis runs a script as one step, so a chunk goes out
 * in order and whole; the client builds one command and parses one reply per
 * chunk instead of one per event, which is most of what a batch costs a
 * Node process. Where scripts are not allowed (ACL without @scripting) it
 * falls back to a plain pipeline of PUBLISH.
 */
const SCRIPT = "for i = 1, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end\nreturn #ARGV / 2";
const COMMAND = 'heraldPublishBatch';
/** Events per EVALSHA: big enough to amortise, small enough not to stall Redis. */
export const CHUNK = 100;

type BatchCommand = (...args: Array<string | Buffer>) => Promise<unknown>;

function command(client: Redis): BatchCommand | undefined {
  const fn = (client as unknown as Record<string, unknown>)[COMMAND];
  return typeof fn === 'function' ? (fn as BatchCommand).bind(client) : undefined;
}

const noScripts = new WeakSet<Redis>();

/** Publishes `payloads[i]` on `channels[i]`, in order. Resolves once Redis ran every chunk. */
export async function publishBatch(client: Redis, channels: readonly string[], payloads: ReadonlyArray<string | Buffer>): Promise<void> {
  if (noScripts.has(client)) return publishPipelined(client, channels, payloads);
  let run = command(client);
  if (run === undefined) {
    client.defineCommand(COMMAND, { numberOfKeys: 0, lua: SCRIPT });
    run = command(client)!;
  }
  const chunks: Array<Promise<unknown>> = [];
  for (let start = 0; start < payloads.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, payloads.length);
    const args: Array<string | Buffer> = new Array((end - start) * 2);
    for (let i = start, j = 0; i < end; i++) {
      args[j++] = channels[i]!;
      args[j++] = payloads[i]!;
    }
    // Issued back to back: one connection, so Redis runs them in this order.
    chunks.push(run(...args));
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

async function publishPipelined(client: Redis, channels: readonly string[], payloads: ReadonlyArray<string | Buffer>): Promise<void> {
  const pipeline = client.pipeline();
  for (let i = 0; i < payloads.length; i++) pipeline.publish(channels[i]!, payloads[i]!);
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error);
  if (failed) throw failed[0];
}
