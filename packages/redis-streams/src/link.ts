import { ConnectionError, TimeoutError, withTimeout, type Logger, type Redactor } from '@herald/core';
import type { LinkState, RedisClient } from '@herald/redis-common';

export type { LinkState };

/**
 * Redis could not be reached, refused the connection or did not answer within
 * the bound. Names the endpoint, never credentials. Code `CONNECTION`.
 */
export class RedisStreamsConnectionError extends ConnectionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedisStreamsConnectionError';
  }
}

interface Waiter {
  reject: (error: Error) => void;
  deadline: number;
  timeoutMs: number;
}

/** How often expired commands are looked for: a command fails at most this much after its bound. */
const SWEEP_MS = 50;

export interface LinkOptions {
  role: string;
  client: RedisClient;
  target: string;
  logger: Logger;
  redactor: Redactor;
  onState: () => void;
}

/**
 * One ioredis client (Redis or Cluster) owned by the bus. Herald's clients run
 * without an offline queue, so a command is only ever sent on a live
 * connection: `run` waits for one (within the bound) and never sends late.
 */
export class Link {
  readonly client: RedisClient;
  state: LinkState = 'idle';
  lastError: Error | undefined;
  private readonly options: LinkOptions;
  private lastLogged: string | undefined;
  private closing = false;
  /** Commands sent and not yet answered (see guard). */
  private readonly inflight = new Set<Waiter>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(options: LinkOptions) {
    this.options = options;
    this.client = options.client;
    const c = this.client;
    c.on('connecting', () => this.set('connecting'));
    c.on('ready', () => {
      this.lastError = undefined;
      this.lastLogged = undefined;
      this.set('ready');
    });
    c.on('close', () => {
      if (this.inflight.size > 0) {
        const lost = [...this.inflight];
        this.inflight.clear();
        const error = new RedisStreamsConnectionError(this.describe('was lost before Redis replied'));
        for (const w of lost) w.reject(error);
      }
      if (this.state !== 'idle' && this.state !== 'ended') this.set('down');
    });
    c.on('reconnecting', () => {
      if (!this.closing) this.set('reconnecting');
    });
    c.on('end', () => this.set('ended'));
    c.on('error', (error: unknown) => this.onError(error));
  }

  get used(): boolean {
    return this.state !== 'idle';
  }

  get isReady(): boolean {
    return this.client.status === 'ready';
  }

  /** Resolves once the client is ready, connecting it if needed; rejects after `timeoutMs` (or on the first error with `failFast`). */
  whenReady(timeoutMs: number, failFast = false): Promise<void> {
    if (this.isReady) return Promise.resolve();
    if (this.closing) return Promise.reject(new RedisStreamsConnectionError(this.describe('is closed')));
    this.start();
    const c = this.client;
    let cleanup = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      const onReady = () => resolve();
      const onError = (error: unknown) => {
        if (failFast) reject(new RedisStreamsConnectionError(this.describe(`failed: ${this.options.redactor.error(error).message}`)));
      };
      const onEnd = () => reject(new RedisStreamsConnectionError(this.describe('was closed')));
      c.once('ready', onReady);
      c.on('error', onError);
      c.once('end', onEnd);
      cleanup = () => {
        c.off('ready', onReady);
        c.off('error', onError);
        c.off('end', onEnd);
      };
    });
    const timedOut = () => {
      const why = this.lastError ? ` (last error: ${this.lastError.message})` : '';
      return new RedisStreamsConnectionError(`${this.describe(`not ready within ${timeoutMs} ms`)}${why}`);
    };
    return withTimeout(ready, timeoutMs, timedOut).finally(cleanup);
  }

  /** Runs `command` on a ready connection; the whole call (waiting included) is bounded by `timeoutMs`. */
  run<T>(command: (client: RedisClient) => Promise<T>, timeoutMs: number): Promise<T> {
    if (this.isReady) return this.guard(command(this.client), timeoutMs);
    const started = performance.now();
    return this.whenReady(timeoutMs).then(() =>
      this.guard(command(this.client), Math.max(1, timeoutMs - (performance.now() - started))),
    );
  }

  /**
   * `reply`, or a rejection when the connection closes first or `timeoutMs`
   * passes. Without resending, ioredis never settles a command whose
   * connection dropped before the reply (it discards it on reconnect); a
   * blocked XREADGROUP would hang. One sweep timer serves every command (a
   * timer per publish would cost more than the publish).
   */
  guard<T>(reply: Promise<T>, timeoutMs = Number.POSITIVE_INFINITY): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = { reject, deadline: performance.now() + timeoutMs, timeoutMs };
      this.inflight.add(waiter);
      this.armSweep();
      reply.then(
        (value) => {
          this.inflight.delete(waiter);
          resolve(value);
        },
        (error: unknown) => {
          this.inflight.delete(waiter);
          reject(error);
        },
      );
    });
  }

  private armSweep(): void {
    if (this.sweep !== undefined) return;
    this.sweep = setInterval(() => {
      const now = performance.now();
      for (const w of this.inflight) {
        if (w.deadline > now) continue;
        this.inflight.delete(w);
        w.reject(new TimeoutError(`redis-streams: Redis did not reply within ${w.timeoutMs} ms`));
      }
      if (this.inflight.size === 0) {
        clearInterval(this.sweep);
        this.sweep = undefined;
      }
    }, SWEEP_MS);
    this.sweep.unref();
  }

  /** Starts connecting a lazy client or one that gave up. */
  start(): void {
    if (this.closing) return;
    const status = this.client.status;
    if (status === 'wait' || status === 'end') {
      this.client.connect().catch(() => {
        // reported through the 'error' event
      });
    }
  }

  /** Closes the connection (QUIT when it is up, bounded; then disconnect). Idempotent. */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    const c = this.client;
    if (c.status === 'end') return;
    if (c.status === 'wait') {
      c.disconnect();
      this.set('ended');
      return;
    }
    if (c.status === 'ready') {
      await withTimeout(c.quit(), timeoutMs, () => new Error('QUIT timed out')).catch(() => undefined);
    }
    if ((c.status as string) !== 'end') c.disconnect();
  }

  /** Drops the connection at once (a blocked XREADGROUP rejects); used to stop readers. */
  abort(): void {
    this.closing = true;
    this.client.disconnect();
  }

  describe(what: string): string {
    return `redis-streams: ${this.options.role} connection to ${this.options.target} ${what}`;
  }

  private onError(thrown: unknown): void {
    const error = this.options.redactor.error(thrown);
    this.lastError = error;
    const fields = { transport: 'redis-streams', connection: this.options.role, target: this.options.target, error: error.message };
    // The same error on every reconnect attempt is logged once, then at debug.
    if (error.message !== this.lastLogged && !this.closing) {
      this.options.logger.warn(fields, 'redis-streams: connection error');
      this.lastLogged = error.message;
    } else {
      this.options.logger.debug(fields, 'redis-streams: connection error (repeated)');
    }
  }

  private set(state: LinkState): void {
    if (state === this.state) return;
    this.state = state;
    this.options.onState();
  }
}
