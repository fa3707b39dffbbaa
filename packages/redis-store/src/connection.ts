import { ConnectionError, createRedactor, noopLogger, ValidationError, type Logger, type Redactor } from '@herald/core';
import { Redis, type RedisOptions } from 'ioredis';

/** An ioredis client the user owns, ioredis options, or a `redis://` / `rediss://` (TLS) URL. */
export type RedisInput = Redis | RedisOptions | string;

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
  if (isRedisClient(input)) return { client: input, owned: false, redactor: redactorFor(input) };
  let client: Redis;
  let everReady = false;
  if (typeof input === 'string') {
    if (!/^rediss?:\/\//i.test(input)) throw new ValidationError('redis', 'a URL must start with redis:// or rediss://');
    client = new Redis(input, { lazyConnect: true, retryStrategy: firstConnectionOnce(() => everReady) });
  } else if (input !== null && typeof input === 'object') {
    client = new Redis({ lazyConnect: true, ...input, retryStrategy: firstConnectionOnce(() => everReady, input.retryStrategy) });
  } else {
    throw new ValidationError('redis', 'must be an ioredis client, ioredis options or a redis:// URL');
  }
  client.on('ready', () => {
    everReady = true;
  });
  const redactor = redactorFor(client);
  client.on('error', (error: Error) => {
    logger.warn({ component, error: redactor.text(error.message), errorName: error.name }, 'redis connection error');
  });
  return { client, owned: true, redactor };
}

/**
 * A first connection that fails is not retried: the call that asked for it
 * rejects (ConnectionError) and the client ends, instead of reconnecting in the
 * background and keeping the process alive until `close()`. The next call
 * connects again. Once a connection has been ready, ioredis reconnects as usual
 * (the user's retryStrategy, or its default backoff).
 */
function firstConnectionOnce(everReady: () => boolean, retry?: RedisOptions['retryStrategy']): RedisOptions['retryStrategy'] {
  return (times) => {
    if (!everReady()) return null;
    return retry ? retry(times) : Math.min(times * 50, 2_000);
  };
}

function redactorFor(client: Redis): Redactor {
  const { password, sentinelPassword } = client.options;
  return createRedactor([password, sentinelPassword]);
}

/** Duck-typed so a client from another copy of ioredis is still recognised as one. */
function isRedisClient(input: unknown): input is Redis {
  return (
    input instanceof Redis ||
    (typeof input === 'object' &&
      input !== null &&
      typeof (input as Redis).defineCommand === 'function' &&
      typeof (input as Redis).sendCommand === 'function')
  );
}

/** The last connection error of each client whenReady watched, for a call that arrives as the client gives up. */
const lastErrors = new WeakMap<Redis, Error>();

/**
 * Resolves once the client is ready to take a command, connecting it if needed;
 * rejects with ConnectionError after `timeoutMs`, at the first connection error
 * of a connection this call started (refused, wrong password, TLS: waiting would
 * not help), or when the client ends. Without this bound ioredis keeps a
 * command in its offline queue through 20 reconnect attempts, about 74 s. A
 * client Herald created that is still not ready after the bound is
 * disconnected, so nothing keeps retrying in the background; the next call
 * connects it again.
 */
export function whenReady(connection: RedisConnection, timeoutMs: number, component = 'redis-store'): Promise<void> {
  const { client } = connection;
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end' && !connection.owned) {
    return Promise.reject(new ConnectionError(`${component}: the client passed in is closed (${describeTarget(client)})`));
  }
  const fresh = client.status === 'wait' || client.status === 'end';
  if (fresh) {
    lastErrors.delete(client);
    client.connect().catch(() => {
      // Reported through the 'error' event.
    });
  }
  return new Promise<void>((resolve, reject) => {
    const fail = (why: string) => {
      const cause = lastErrors.get(client);
      return new ConnectionError(`${component}: cannot connect to ${describeTarget(client)}: ${why}`, cause ? { cause } : undefined);
    };
    const done = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
      if (error === undefined) return resolve();
      reject(error);
    };
    const onReady = () => {
      lastErrors.delete(client);
      done();
    };
    const onError = (error: Error) => {
      lastErrors.set(client, connection.redactor.error(error));
      if (fresh) done(fail(lastErrors.get(client)!.message));
    };
    // An 'end' of an earlier connection can arrive after this one started: only a real end counts.
    const onEnd = () => {
      if (client.status === 'end') done(fail(lastErrors.get(client)?.message ?? 'the connection ended'));
    };
    const timer = setTimeout(() => {
      const last = lastErrors.get(client);
      done(fail(`not ready within ${timeoutMs} ms${last ? ` (last error: ${last.message})` : ''}`));
      if (connection.owned && fresh && client.status !== 'ready') client.disconnect();
    }, timeoutMs);
    client.on('ready', onReady);
    client.on('error', onError);
    client.on('end', onEnd);
  });
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

/** `host:port` (or the socket path) of a client, safe to log. */
function describeTarget(client: Redis): string {
  const { host, port, path, sentinels, name } = client.options;
  if (path) return path;
  if (sentinels && sentinels.length > 0) return `sentinel master ${name ?? '?'}`;
  return `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}
