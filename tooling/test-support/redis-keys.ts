/** The commands these helpers use, as an ioredis client has them (this folder cannot import ioredis). */
export interface KeyClient {
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[cursor: string, keys: string[]]>;
  unlink(...keys: string[]): Promise<number>;
}

/** A SCAN MATCH pattern for every key under `prefix` (glob characters in it escaped). */
function under(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
}

/** Every key under `prefix`, sorted, by SCAN (never KEYS: the Redis is shared). */
export async function listKeys(client: KeyClient, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', under(prefix), 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
}

/** Deletes every key under `prefix` with SCAN and UNLINK (never KEYS or FLUSH*: the Redis is shared). Returns how many. */
export async function deleteKeys(client: KeyClient, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', under(prefix), 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
