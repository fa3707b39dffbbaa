import type { Redis } from 'ioredis';

/** Deletes every key under `prefix` (SCAN + UNLINK, never KEYS): what a scenario wrote on the shared Redis. */
export async function deletePrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [nextCursor, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = nextCursor;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}
