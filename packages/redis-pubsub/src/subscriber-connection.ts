import type { Logger, Redactor } from '@herald/core';
import type { Redis } from 'ioredis';
import { bounded, ManagedConnection, RedisConnectionError } from './managed-connection.js';

/** A message as Redis delivered it: the glob it matched, its channel and its bytes. */
export type MessageListener = (glob: string, channel: Buffer, message: Buffer) => void;

export interface SubscriberConnectionOptions {
  client: Redis;
  target: string;
  logger: Logger;
  redactor: Redactor;
  /** Bound for waiting on PSUBSCRIBE confirmations (subscribe, restore after a reconnect). */
  timeoutMs: number;
  onMessage: MessageListener;
  /**
   * Runs on every (re)connection before the globs are subscribed again (on a
   * Cluster: aim at the route key's master); a throw drops the connection.
   */
  beforeRestore?: (client: Redis) => Promise<void>;
  onState: (conn: ManagedConnection) => void;
}

interface Waiter {
  globs: readonly string[];
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The bus's one subscriber connection, shared by all its subscriptions.
 *
 * Each glob is PSUBSCRIBEd once however many subscriptions need it
 * (reference counted) and PUNSUBSCRIBEd when the last one goes. The set of
 * globs is the source of truth: after any reconnection (a killed connection,
 * a Redis restart) every glob is subscribed again before the connection
 * counts as ready, and a subscribe waits until Redis confirmed its globs.
 * ioredis's own autoResubscribe is off so there is exactly one mechanism.
 */
export class SubscriberConnection {
  readonly connection: ManagedConnection;
  private readonly options: SubscriberConnectionOptions;
  /** glob → number of subscriptions using it. */
  private readonly refs = new Map<string, number>();
  /** Globs Redis confirmed on the current connection. */
  private readonly active = new Set<string>();
  /** glob → token of the PSUBSCRIBE in flight for it; a reply counts only if its token is still current. */
  private readonly sent = new Map<string, number>();
  private token = 0;
  private readonly waiters = new Set<Waiter>();

  constructor(options: SubscriberConnectionOptions) {
    this.options = options;
    this.connection = new ManagedConnection({
      role: 'subscriber',
      client: options.client,
      target: options.target,
      logger: options.logger,
      redactor: options.redactor,
      setupTimeoutMs: options.timeoutMs,
      onConnected: () => this.restore(),
      onState: options.onState,
    });
    const client = options.client;
    client.on('close', () => {
      // Subscriptions do not survive the connection; restore() redoes them.
      this.active.clear();
      this.sent.clear();
    });
    client.on('pmessageBuffer', options.onMessage);
  }

  /**
   * Takes a reference on each glob and resolves once Redis has confirmed all
   * of them. Rejects after the bound; the caller then calls `remove`.
   */
  add(globs: readonly string[]): Promise<void> {
    for (const g of globs) this.refs.set(g, (this.refs.get(g) ?? 0) + 1);
    // Confirmed on the current connection: nothing to wait for.
    if (globs.every((g) => this.active.has(g))) return Promise.resolve();
    this.connection.start();
    this.sync();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        globs,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const why = this.connection.lastError ? ` (last error: ${this.connection.lastError.message})` : '';
          reject(
            new RedisConnectionError(
              `${this.connection.describe(`did not confirm the subscription within ${this.options.timeoutMs} ms`)}${why}`,
              'timeout',
            ),
          );
        }, this.options.timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Drops a reference on each glob; PUNSUBSCRIBEs those no subscription needs any more. */
  remove(globs: readonly string[]): void {
    const gone: string[] = [];
    for (const g of globs) {
      const n = (this.refs.get(g) ?? 0) - 1;
      if (n > 0) {
        this.refs.set(g, n);
        continue;
      }
      this.refs.delete(g);
      const wasSent = this.sent.delete(g);
      if (this.active.delete(g) || wasSent) gone.push(g);
    }
    if (gone.length === 0 || this.connection.client.status !== 'ready') return;
    this.connection.client.punsubscribe(...gone).catch((error: unknown) => {
      this.options.logger.debug(
        { transport: 'redis-pubsub', error: this.options.redactor.text(String((error as Error)?.message ?? error)) },
        'redis-pubsub: PUNSUBSCRIBE failed (the connection will not restore it)',
      );
    });
  }

  /**
   * A round trip on the subscriber connection: once it returns, every message
   * Redis sent before it has been received (Redis answers in order).
   */
  async flush(timeoutMs: number): Promise<void> {
    if (!this.connection.isReady) return;
    await bounded(this.connection.client.ping().catch(() => undefined), timeoutMs);
  }

  async close(timeoutMs: number): Promise<void> {
    this.options.client.removeListener('pmessageBuffer', this.options.onMessage);
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new RedisConnectionError(this.connection.describe('closed'), 'closed'));
    }
    this.waiters.clear();
    await this.connection.close(timeoutMs);
  }

  /** After a (re)connection: subscribe every glob again; ready once all are confirmed. */
  private async restore(): Promise<void> {
    // Before any PSUBSCRIBE: a connection in subscriber mode takes no other command.
    await this.options.beforeRestore?.(this.options.client);
    this.sync();
    if (this.missing() === 0) return;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        globs: [...this.refs.keys()],
        resolve,
        reject,
        // restore() is bounded by ManagedConnection; this timer only cleans up.
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new RedisConnectionError(this.connection.describe('did not confirm the resubscription in time'), 'timeout'));
        }, this.options.timeoutMs + 1_000),
      };
      this.waiters.add(waiter);
    });
  }

  /** PSUBSCRIBEs every referenced glob that is neither confirmed nor in flight. */
  private sync(): void {
    const client = this.connection.client;
    if (client.status !== 'ready') return;
    const todo: string[] = [];
    for (const g of this.refs.keys()) if (!this.active.has(g) && !this.sent.has(g)) todo.push(g);
    if (todo.length === 0) return;
    const token = ++this.token;
    for (const g of todo) this.sent.set(g, token);
    client.psubscribe(...todo).then(
      () => {
        for (const g of todo) {
          if (this.sent.get(g) !== token) continue;
          this.sent.delete(g);
          if (this.refs.has(g)) this.active.add(g);
        }
        this.notify();
      },
      (thrown: unknown) => {
        const error = this.options.redactor.error(thrown, 'PSUBSCRIBE failed');
        for (const g of todo) if (this.sent.get(g) === token) this.sent.delete(g);
        this.options.logger.warn({ transport: 'redis-pubsub', globs: todo, error: error.message }, 'redis-pubsub: PSUBSCRIBE failed');
        this.failWaiters(todo, error);
      },
    );
  }

  private missing(): number {
    let n = 0;
    for (const g of this.refs.keys()) if (!this.active.has(g)) n++;
    return n;
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      if (!w.globs.every((g) => this.active.has(g) || !this.refs.has(g))) continue;
      this.waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  private failWaiters(globs: readonly string[], error: Error): void {
    for (const w of [...this.waiters]) {
      if (!w.globs.some((g) => globs.includes(g))) continue;
      this.waiters.delete(w);
      clearTimeout(w.timer);
      w.reject(error);
    }
  }
}
