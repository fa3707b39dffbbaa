import { withTimeout, type Redactor } from '@herald/core';
import type { RedisClient } from '@herald/redis-common';
import { RedisConnectionError } from './managed-connection.js';
import type { RedisClients } from './redis-clients.js';

/**
 * Runs one command on a short-lived connection. A closed bus uses it so
 * `deadLetters.list()`/`purge()` keep working after `close()`: the dead
 * letters live in Redis, not in the bus.
 */
export async function runOnOneOffConnection<T>(
  clients: RedisClients,
  redactor: Redactor,
  timeoutMs: number,
  command: (client: RedisClient) => Promise<T>,
): Promise<T> {
  const client = clients.create('admin');
  client.on('error', () => {
    // Surfaces through the command's own rejection.
  });
  const timedOut = () => new RedisConnectionError(`redis-pubsub: no reply from Redis within ${timeoutMs} ms`, 'timeout');
  try {
    await withTimeout(client.connect(), timeoutMs, timedOut);
    return await withTimeout(command(client), timeoutMs, timedOut);
  } catch (error) {
    if (error instanceof RedisConnectionError) throw error;
    const cause = redactor.error(error);
    throw new RedisConnectionError(`redis-pubsub: dead letters: ${cause.message}`, 'error', { cause });
  } finally {
    client.disconnect();
  }
}
