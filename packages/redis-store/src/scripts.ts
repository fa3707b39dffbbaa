import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { APPEND_SCRIPT } from './append-script.js';
import { READ_STREAM_SCRIPT } from './read-stream-script.js';

type Reply = Promise<unknown>;

export interface StoreScripts {
  append(stream: string, events: string, head: string, expected: string, ...bodies: string[]): Reply;
  readStream(stream: string, events: string, fromIndex: number): Reply;
}

/**
 * Registers the Lua scripts on a client with ioredis's defineCommand, which
 * sends EVALSHA and falls back to EVAL (loading the script) on NOSCRIPT — after
 * a failover or SCRIPT FLUSH too. Command names carry a hash of the script, so
 * two Herald versions sharing one client never run each other's script.
 */
export function defineStoreScripts(client: Redis): StoreScripts {
  const append = define(client, 'heraldAppend', APPEND_SCRIPT, 3);
  const readStream = define(client, 'heraldReadStream', READ_STREAM_SCRIPT, 2);
  const methods = client as unknown as Record<string, (...args: unknown[]) => Reply>;
  return {
    append: (...args) => methods[append]!(...args),
    readStream: (...args) => methods[readStream]!(...args),
  };
}

export function define(client: Redis, base: string, lua: string, numberOfKeys: number): string {
  const name = `${base}_${createHash('sha1').update(lua).digest('hex').slice(0, 10)}`;
  if (typeof (client as unknown as Record<string, unknown>)[name] !== 'function') {
    client.defineCommand(name, { numberOfKeys, lua });
  }
  return name;
}
