import type { Logger, Redactor } from '@herald/core';
import { ConnectionStateEmitter, exponentialBackoff, type ExponentialBackoff } from '@herald/core/transport';
import type { Connection, ConnectionOptions, EventContext } from 'rhea';
import { createContainer } from './rhea.js';
import { AmqpConnectionError } from './errors.js';
import type { ResolvedEndpoint } from './options.js';

export interface ConnectionManagerOptions {
  endpoint: ResolvedEndpoint;
  containerId: string;
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  logger: Logger;
  redactor: Redactor;
}

type Waiter = { resolve: (conn: Connection) => void; reject: (error: Error) => void; failFast: boolean };

/**
 * The bus's one AMQP connection. rhea's own reconnect is off: this class owns
 * it, so the bus knows when links must be attached again. Once started it
 * keeps trying (core's exponential backoff, with jitter) until
 * `close()`; `onOpen` hooks run on every (re)open, `onLost` hooks when an open
 * connection goes away, and the state goes to `on('connection')` listeners.
 */
export class ConnectionManager {
  readonly state: ConnectionStateEmitter;
  private readonly container;
  private readonly backoff: ExponentialBackoff;
  private connection: Connection | undefined;
  private open: Connection | undefined;
  private started = false;
  private closed = false;
  private failures = 0;
  private lastError: Error | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private waiters: Waiter[] = [];
  private readonly openHooks: Array<(conn: Connection) => void> = [];
  private readonly lostHooks: Array<(error: Error) => void> = [];

  constructor(private readonly options: ConnectionManagerOptions) {
    this.state = new ConnectionStateEmitter(options.logger, 'amqp', 'disconnected');
    this.container = createContainer({ id: options.containerId });
    const { initialDelayMs, maxDelayMs } = options.reconnect;
    this.backoff = { initialMs: initialDelayMs, maxMs: maxDelayMs, jitter: true };
  }

  /** The open connection, if there is one now. */
  get current(): Connection | undefined {
    return this.open;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onOpen(hook: (conn: Connection) => void): void {
    this.openHooks.push(hook);
  }

  onLost(hook: (error: Error) => void): void {
    this.lostHooks.push(hook);
  }

  /**
   * Resolves with the open connection, starting it if needed. `failFast`
   * (connect()) rejects on the first failed attempt; otherwise the wait lasts
   * until `timeoutMs`, reconnects included.
   */
  whenOpen(timeoutMs: number, failFast = false): Promise<Connection> {
    if (this.closed) return Promise.reject(new AmqpConnectionError('amqp: the connection is closed'));
    if (this.open) return Promise.resolve(this.open);
    this.start();
    return new Promise<Connection>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(this.failure(`not open within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref?.();
      const waiter: Waiter = {
        resolve: (conn) => {
          clearTimeout(timer);
          resolve(conn);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
        failFast,
      };
      this.waiters.push(waiter);
    });
  }

  /** Starts connecting (once); later calls do nothing. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.state.set('connecting');
    this.attempt();
  }

  /** Closes the connection (bounded by closeTimeoutMs) and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    const conn = this.connection;
    this.connection = undefined;
    this.open = undefined;
    for (const w of this.waiters.splice(0)) w.reject(new AmqpConnectionError('amqp: the connection was closed'));
    if (conn && !conn.is_closed()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.closeTimeoutMs);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        conn.once('connection_close', done);
        conn.once('disconnected', done);
        try {
          conn.close();
        } catch {
          done();
        }
      });
      // Whatever the broker answered, the socket goes now.
      conn.socket?.destroy?.();
    }
    this.state.set('closed');
  }

  private attempt(): void {
    if (this.closed) return;
    const { endpoint, connectTimeoutMs, redactor } = this.options;
    const options: ConnectionOptions = {
      host: endpoint.host,
      port: endpoint.port,
      reconnect: false,
      idle_time_out: 10_000,
      // The SASL PLAIN exchange is rhea's; it never logs the password.
      ...(endpoint.username === undefined ? {} : { username: endpoint.username }),
      ...(endpoint.password === undefined ? {} : { password: endpoint.password }),
      ...(endpoint.vhost === undefined ? {} : { hostname: `vhost:${endpoint.vhost}` }),
      ...(endpoint.protocol === 'amqps' ? { transport: 'tls' as const, servername: endpoint.host } : {}),
    } as ConnectionOptions;
    let conn: Connection;
    try {
      conn = this.container.connect(options);
    } catch (error) {
      this.attemptFailed(redactor.error(error));
      return;
    }
    this.connection = conn;
    let opened = false;
    let settled = false;
    const openTimer = setTimeout(() => {
      if (opened || settled) return;
      settled = true;
      this.attemptFailed(new Error(`the broker did not open the connection within ${connectTimeoutMs} ms`));
      conn.socket?.destroy?.();
    }, connectTimeoutMs);
    openTimer.unref?.();
    conn.on('connection_open', () => {
      if (settled || this.closed || this.connection !== conn) return;
      opened = true;
      settled = true;
      clearTimeout(openTimer);
      this.failures = 0;
      this.lastError = undefined;
      this.open = conn;
      this.state.set('connected');
      for (const hook of this.openHooks) this.safely(() => hook(conn));
      for (const w of this.waiters.splice(0)) w.resolve(conn);
    });
    const lost = (context: EventContext) => {
      if (this.connection !== conn) return;
      const error = redactor.error(errorOf(context) ?? new Error('the connection was closed'));
      clearTimeout(openTimer);
      this.connection = undefined;
      if (this.closed) return;
      if (opened) {
        this.open = undefined;
        this.lastError = error;
        this.state.set('reconnecting', error);
        for (const hook of this.lostHooks) this.safely(() => hook(error));
        this.schedule();
      } else if (!settled) {
        settled = true;
        this.attemptFailed(error);
      }
    };
    conn.on('disconnected', lost);
    conn.on('connection_close', (context: EventContext) => {
      lost(context);
      conn.socket?.destroy?.();
    });
    // rhea throws on error events nobody listens to; these are all reported through `lost`.
    conn.on('connection_error', () => undefined);
    conn.on('protocol_error', (context: EventContext) => lost(context));
    conn.on('error', (context: EventContext) => lost(context));
  }

  private attemptFailed(error: Error): void {
    this.failures++;
    this.lastError = error;
    const fields = { transport: 'amqp', endpoint: this.options.endpoint.display, error: error.message, attempt: this.failures };
    this.options.logger.warn(fields, 'amqp: connection attempt failed');
    const failFast = this.waiters.filter((w) => w.failFast);
    this.waiters = this.waiters.filter((w) => !w.failFast);
    for (const w of failFast) w.reject(this.failure('could not connect'));
    if (this.failures === 1 && this.state.state === 'connecting') this.state.set('reconnecting', error);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    const delay = exponentialBackoff(this.backoff, Math.max(1, this.failures));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.attempt();
    }, delay);
    this.retryTimer.unref?.();
  }

  private failure(what: string): AmqpConnectionError {
    const reason = this.lastError ? `: ${this.lastError.message}` : '';
    return new AmqpConnectionError(`amqp: ${this.options.endpoint.display} ${what}${reason}`, {
      cause: this.lastError,
    });
  }

  private safely(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.options.logger.error({ transport: 'amqp', error: (error as Error)?.message }, 'amqp: connection hook threw');
    }
  }
}

/** The error rhea attached to an event, as an Error (rhea gives AMQP error objects or socket errors). */
export function errorOf(context: EventContext): Error | undefined {
  const raw =
    context.error ??
    (context.connection as { error?: unknown } | undefined)?.error ??
    (context.receiver as { error?: unknown } | undefined)?.error ??
    (context.sender as { error?: unknown } | undefined)?.error;
  if (raw === undefined || raw === null) return undefined;
  if (raw instanceof Error) return raw;
  const amqp = raw as { condition?: unknown; description?: unknown };
  const text = [amqp.condition, amqp.description].filter((p) => typeof p === 'string').join(': ');
  return new Error(text.length > 0 ? text : String(raw));
}
