import { ConnectionError, type Logger, type Redactor } from '@herald/core';
import type { LinkState, RedisClient } from '@herald/redis-common';

export type { LinkState };

export interface ManagedConnectionOptions {
  role: string;
  client: RedisClient;
  /** `host:port`, for messages. */
  target: string;
  logger: Logger;
  redactor: Redactor;
  /** Bound for `onConnected`; past it the connection is dropped and ioredis reconnects. */
  setupTimeoutMs: number;
  /** Runs on every (re)connection before the link counts as ready (the subscriber restores subscriptions here). */
  onConnected?: () => Promise<void>;
  /** Called after every state change. */
  onState: (conn: ManagedConnection) => void;
}

/**
 * Redis could not be reached, refused the connection (e.g. wrong password) or
 * did not answer within the bound. The message names the endpoint, never
 * credentials. `reason` says which. A core ConnectionError: code `CONNECTION`.
 */
export class RedisConnectionError extends ConnectionError {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'error' | 'closed',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RedisConnectionError';
  }
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  failFast: boolean;
  timer: NodeJS.Timeout;
}

const RESOLVED = Promise.resolve();

/**
 * One ioredis client owned by the bus: follows its events (connect, ready,
 * close, reconnecting, end, error) as a LinkState, logs errors without
 * secrets, lets callers wait — boundedly — for it to be ready, and closes it.
 * ioredis does the reconnecting with its `retryStrategy` backoff; what must
 * happen after a reconnection (resubscribing) is `onConnected`.
 */
export class ManagedConnection {
  readonly client: RedisClient;
  state: LinkState = 'idle';
  lastError: Error | undefined;
  private readonly options: ManagedConnectionOptions;
  private readonly waiters = new Set<Waiter>();
  /** Bumped on every ready/close, so late results of an older connection are ignored. */
  private epoch = 0;
  private closing = false;
  /** Whether the connection was ever ready: until then a failed attempt is not retried in the background. */
  private everReady = false;
  private lastLoggedError: string | undefined;

  constructor(options: ManagedConnectionOptions) {
    this.options = options;
    this.client = options.client;
    const c = this.client;
    c.on('connecting', () => {
      if (this.state === 'idle' || this.state === 'ended' || this.state === 'down') this.set('connecting');
    });
    c.on('ready', () => void this.onReady());
    c.on('close', () => {
      this.epoch++;
      if (this.state !== 'ended' && this.state !== 'idle') this.set('down');
    });
    c.on('reconnecting', () => {
      if (!this.closing) this.set('reconnecting');
    });
    c.on('end', () => {
      this.set('ended');
      if (this.closing) {
        this.rejectWaiters(new RedisConnectionError(this.describe('closed'), 'closed'), () => true);
      } else if (this.waiters.size > 0) {
        // An abandoned attempt (stopIfAbandoned) can end after a new caller began to wait:
        // that caller asked for a connection, so start again; its own bound still applies.
        this.start();
      }
    });
    c.on('error', (error: unknown) => this.onError(error));
  }

  /** True once the client has been asked to connect (a publish-only bus never opens its subscriber). */
  get used(): boolean {
    return this.state !== 'idle';
  }

  get isReady(): boolean {
    return this.state === 'ready' && this.client.status === 'ready';
  }

  /**
   * Resolves when the connection is ready, connecting it if needed. Rejects
   * after `timeoutMs`, when the connection is closed, and — with `failFast` —
   * on the first connection error.
   */
  whenReady(timeoutMs: number, failFast = false): Promise<void> {
    if (this.isReady) return RESOLVED;
    if (this.closing) return Promise.reject(new RedisConnectionError(this.describe('closed'), 'closed'));
    this.start();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        failFast,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const why = this.lastError ? ` (last error: ${this.lastError.message})` : '';
          reject(new RedisConnectionError(`${this.describe(`not ready within ${timeoutMs} ms`)}${why}`, 'timeout'));
          this.stopIfAbandoned();
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Starts connecting when the client is idle (lazy) or ended (gave up earlier). */
  start(): void {
    if (this.closing) return;
    const status = this.client.status;
    if (status === 'wait' || status === 'end') {
      if (this.state === 'ended') this.set('connecting');
      this.client.connect().catch(() => {
        // Reported through the 'error' event.
      });
    }
  }

  /** Closes the connection: QUIT when it is up (bounded), then disconnect. Idempotent. */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.rejectWaiters(new RedisConnectionError(this.describe('closed'), 'closed'), () => true);
    const c = this.client;
    if (c.status === 'end') return;
    if (c.status === 'wait') {
      c.disconnect();
      return;
    }
    const ended = new Promise<void>((resolve) => c.once('end', () => resolve()));
    if (c.status === 'ready') {
      await bounded(
        c.quit().then(
          () => undefined,
          () => undefined,
        ),
        timeoutMs,
      );
    }
    // A socket that is open (or opening) ends with an 'end' event; one waiting to retry just stops.
    const open = ['connecting', 'connect', 'ready'].includes(c.status as string);
    if ((c.status as string) !== 'end') c.disconnect();
    if (open) await bounded(ended, 1_000);
  }

  describe(what: string): string {
    return `redis-pubsub: ${this.options.role} connection to ${this.options.target} ${what}`;
  }

  private async onReady(): Promise<void> {
    const epoch = ++this.epoch;
    const { onConnected, setupTimeoutMs } = this.options;
    if (onConnected) {
      let done: boolean;
      try {
        done = (await bounded(onConnected().then(() => true), setupTimeoutMs, false)) === true;
      } catch (error) {
        if (epoch !== this.epoch) return;
        // The Cluster subscriber re-aiming at its node is routine, not a problem.
        const level = (error as Error)?.name === 'SubscriberMovedError' ? 'debug' : 'warn';
        this.options.logger[level](
          { transport: 'redis-pubsub', connection: this.options.role, error: this.options.redactor.text(String((error as Error)?.message ?? error)) },
          'redis-pubsub: could not restore the connection state; reconnecting',
        );
        done = false;
      }
      if (epoch !== this.epoch) return;
      if (!done) {
        if (!this.closing) this.client.disconnect(true);
        return;
      }
    }
    if (epoch !== this.epoch || this.client.status !== 'ready') return;
    this.lastLoggedError = undefined;
    this.lastError = undefined;
    this.everReady = true;
    this.set('ready');
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  private onError(thrown: unknown): void {
    const error = this.options.redactor.error(thrown);
    this.lastError = error;
    const fields = { transport: 'redis-pubsub', connection: this.options.role, target: this.options.target, error: error.message };
    // The same error on every reconnect attempt is logged once, then at debug.
    if (error.message !== this.lastLoggedError) {
      this.options.logger.warn(fields, 'redis-pubsub: connection error');
      this.lastLoggedError = error.message;
    } else {
      this.options.logger.debug(fields, 'redis-pubsub: connection error (repeated)');
    }
    this.rejectWaiters(
      new RedisConnectionError(this.describe(`failed: ${error.message}`), 'error'),
      (w) => w.failFast,
    );
    this.stopIfAbandoned();
  }

  /**
   * A connection that has never been ready and that nobody waits for any more
   * (connect() failed, the publishes waiting for it timed out) stops: ioredis
   * would otherwise retry in the background forever and keep the process alive
   * until close(). The next use starts it again. Once a connection has been
   * ready, reconnecting is the point (subscriptions are restored), so it goes on.
   */
  private stopIfAbandoned(): void {
    if (this.everReady || this.closing || this.waiters.size > 0) return;
    const status = this.client.status as string;
    if (status === 'wait' || status === 'end' || status === 'ready') return;
    this.client.disconnect();
  }

  private rejectWaiters(error: Error, which: (w: Waiter) => boolean): void {
    for (const w of [...this.waiters]) {
      if (!which(w)) continue;
      this.waiters.delete(w);
      clearTimeout(w.timer);
      w.reject(error);
    }
  }

  private set(state: LinkState): void {
    if (state === this.state) return;
    this.state = state;
    this.options.onState(this);
  }
}

/** `promise`, or `fallback` once `ms` have passed (the timer never keeps the process alive). */
export function bounded<T>(promise: Promise<T>, ms: number, fallback?: T): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T | undefined>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

