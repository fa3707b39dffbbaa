import { ConnectionError, createRedactor, noopLogger, type Logger, type Redactor } from '@herald/core';
import { checkRedisSource, describeTarget, isRedisClient, secretsOf } from '@herald/redis-common';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';

/**
 * An ioredis client the user owns (a `Redis`, or a `Cluster`: every key of a store shares one
 * hash slot, see key-layout.ts), ioredis options, or a `redis://` / `rediss://` (TLS) URL.
 */
export type RedisInput = Redis | Cluster | RedisOptions | string;

export interface RedisConnection {
  readonly client: Redis;
  /** True when Herald created the client and so must close it. */
  readonly owned: boolean;
  /** Masks the client's password(s) in messages and stacks. */
  readonly redactor: Redactor;
}

/**
 * Turns the user's `redis` option into a client. Clients Herald creates connect
 * lazily (constructors stay synchronous; the first command connects) and report
 * connection errors to the logger with the message only: ioredis attaches the
 * failed command's arguments to its errors, and for AUTH those hold the password.
 */
export function openRedis(input: RedisInput, logger: Logger = noopLogger, component = 'redis-store'): RedisConnection {
  checkRedisSource(input, { component, cluster: true });
  if (isRedisClient(input)) return { client: input as Redis, owned: false, redactor: redactorFor(input as Redis) };
  const client = typeof input === 'string' ? new Redis(input, { lazyConnect: true }) : new Redis({ lazyConnect: true, ...input });
  const redactor = redactorFor(client);
  client.on('error', (error: Error) => {
    logger.warn({ component, error: redactor.text(error.message), errorName: error.name }, 'redis connection error');
  });
  return { client, owned: true, redactor };
}

function redactorFor(client: Redis): Redactor {
  return createRedactor(secretsOf(client));
}

/** Closes a client Herald created; leaves one the user passed in open. */
export async function closeRedis(connection: RedisConnection): Promise<void> {
  if (!connection.owned) return;
  const { client } = connection;
  // A lazy client that never connected (or already ended) has nothing to QUIT.
  if (client.status === 'wait' || client.status === 'end') {
    client.disconnect();
    return;
  }
  // QUIT resolves on the server's reply; the socket closes a moment later. Wait for
  // that (bounded), so a closed store really holds no connection any more.
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      client.disconnect();
      resolve();
    }, 2_000);
  });
  await Promise.race([ended, bound]);
  clearTimeout(timer);
}

/**
 * Makes an error from a command safe to pass on. ioredis puts the failed
 * command's name and arguments on `error.command`; for AUTH and HELLO those
 * include the password, so they are replaced (the ioredis-specific step); the
 * message and stack go through core's redactor. A failure to connect at all —
 * the handshake (AUTH/HELLO) refused, or ioredis giving up on a command while
 * it could not connect — becomes a core ConnectionError naming the endpoint,
 * with the redacted error as its cause.
 */
export function redactRedisError(connection: RedisConnection, error: unknown, component = 'redis-store'): unknown {
  if (!(error instanceof Error)) return connection.redactor.error(error);
  const command = (error as { command?: { name?: unknown; args?: unknown } }).command;
  const handshake = typeof command?.name === 'string' && /^(auth|hello)$/i.test(command.name);
  if (command && typeof command.name === 'string' && /^(auth|hello|migrate|acl)$/i.test(command.name)) {
    command.args = ['[redacted]'];
  }
  const { redactor } = connection;
  error.message = redactor.text(error.message);
  if (error.stack !== undefined) error.stack = redactor.text(error.stack);
  if (handshake || error.name === 'MaxRetriesPerRequestError') {
    return new ConnectionError(`${component}: cannot connect to ${describeTarget(connection.client)}: ${error.message}`, { cause: error });
  }
  return error;
}
