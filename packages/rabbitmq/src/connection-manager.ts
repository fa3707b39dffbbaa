import { BusClosedError, isHeraldError, sleep, type ConnectionState, type Logger, type Redactor } from '@herald/core';
import { exponentialBackoff } from '@herald/core/transport';
import amqp, { type ChannelModel } from 'amqplib';
import type { NodeList } from './node-list.js';
import type { ResolvedEndpoint } from './options.js';
import { RabbitMQConnectionError } from './errors.js';
import { closeQuietly } from './close-quietly.js';

export interface ConnectionManagerOptions {
  /** `publish` or `consume`: the bus keeps publishers and consumers on separate connections. */
  role: string;
  /** The broker nodes this connection may use (one for a single broker). */
  nodes: NodeList;
  socketOptions: Record<string, unknown>;
  connectionName: string;
  connectTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  logger: Logger;
  redactor: Redactor;
  /** `endpoint`: the node connected to, or the one lost (safe to show). */
  onState(state: ConnectionState, error?: Error, endpoint?: string): void;
}

/** Runs on every new connection before it is reported connected. A throw fails that connection attempt. */
export type ConnectionSetup = (connection: ChannelModel) => Promise<void>;

/**
 * One AMQP connection and its life: opened on first use (one attempt per node,
 * so `connect()` fails fast), then kept — when the broker drops it, reconnected
 * with exponential backoff and jitter, each round trying every node beginning
 * with the one after the node lost, until it is back or the bus closes. Each
 * new connection runs the setup hooks (channels, topology, consumers) before
 * it counts as connected. Errors it reports never carry the password.
 */
export class ConnectionManager {
  private conn: ChannelModel | undefined;
  private opening: Promise<ChannelModel> | undefined;
  private reconnecting = false;
  private closed = false;
  private readonly setups: ConnectionSetup[] = [];
  private readonly waiters = new Set<{ resolve(c: ChannelModel): void; reject(e: Error): void }>();
  private readonly stopLoop = new AbortController();
  private stateNow: ConnectionState = 'disconnected';
  /** The node of the open connection, or of the last one while reconnecting. */
  private node: ResolvedEndpoint | undefined;
  /** True once anything asked for this connection. */
  started = false;

  constructor(private readonly options: ConnectionManagerOptions) {}

  get state(): ConnectionState {
    return this.stateNow;
  }

  /** The open connection, when there is one. */
  get current(): ChannelModel | undefined {
    return this.conn;
  }

  /** `amqp://host:port/vhost` of the node connected to (or last connected to); safe to log. */
  get endpoint(): string | undefined {
    return this.node?.display;
  }

  get isReconnecting(): boolean {
    return this.reconnecting;
  }

  onConnected(setup: ConnectionSetup): void {
    this.setups.push(setup);
  }

  /**
   * The connection: at once when open; after one attempt when never opened
   * (rejecting fast when the broker cannot be reached); within `waitMs` while
   * reconnecting.
   */
  ensure(waitMs: number): Promise<ChannelModel> {
    if (this.closed) return Promise.reject(new BusClosedError());
    if (this.conn) return Promise.resolve(this.conn);
    this.started = true;
    if (this.reconnecting) return this.waitForConnection(waitMs);
    this.opening ??= this.openFirst();
    return this.opening;
  }

  /** Closes the connection (if any) and stops reconnecting. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopLoop.abort();
    for (const w of this.waiters) w.reject(new BusClosedError());
    this.waiters.clear();
    if (this.opening) await this.opening.catch(() => undefined);
    const conn = this.conn;
    this.conn = undefined;
    if (conn) {
      await closeQuietly(conn);
    }
    this.setState('closed');
  }

  private async openFirst(): Promise<ChannelModel> {
    this.setState('connecting');
    try {
      const conn = await this.openAny();
      if (this.closed) {
        await closeQuietly(conn);
        throw new BusClosedError();
      }
      this.conn = conn;
      this.setState('connected');
      return conn;
    } catch (thrown) {
      if (thrown instanceof BusClosedError) throw thrown;
      const error = this.connectError(thrown);
      this.setState('disconnected', error);
      throw error;
    } finally {
      this.opening = undefined;
    }
  }

  /**
   * One connection attempt per node, in rotation order. A typed Herald error
   * from the setup hooks (a topology conflict) is the same on every node of a
   * cluster, so it ends the round instead of trying the next node.
   */
  private async openAny(): Promise<ChannelModel> {
    const { nodes, logger, role, redactor } = this.options;
    let lastError: unknown;
    for (const endpoint of nodes.rotation()) {
      if (this.closed) throw new BusClosedError();
      try {
        const conn = await this.openOnce(endpoint);
        nodes.used(endpoint);
        this.node = endpoint;
        return conn;
      } catch (error) {
        if (isHeraldError(error)) throw error;
        lastError = error;
        if (nodes.endpoints.length > 1) {
          logger.warn(
            { transport: 'rabbitmq', role, endpoint: endpoint.display, error: redactor.error(error).message },
            'rabbitmq node unreachable; trying the next one',
          );
        }
      }
    }
    throw lastError;
  }

  private async openOnce(endpoint: ResolvedEndpoint): Promise<ChannelModel> {
    const { socketOptions, connectTimeoutMs, connectionName, role, logger, redactor } = this.options;
    const conn = await amqp.connect(endpoint.connect, {
      ...socketOptions,
      timeout: connectTimeoutMs,
      clientProperties: { connection_name: `${connectionName}:${role}` },
    });
    const fields = { transport: 'rabbitmq', role, endpoint: endpoint.display };
    conn.on('error', (error: unknown) => {
      logger.warn({ ...fields, error: redactor.error(error).message }, 'rabbitmq connection error');
    });
    let lost = false;
    conn.on('close', (error: unknown) => {
      lost = true;
      this.onClose(conn, error);
    });
    conn.on('blocked', (reason: unknown) => logger.warn({ ...fields, reason: String(reason) }, 'rabbitmq connection blocked by the broker'));
    conn.on('unblocked', () => logger.info(fields, 'rabbitmq connection unblocked'));
    try {
      for (const setup of this.setups) await setup(conn);
      if (lost) throw new Error('connection closed while it was being set up');
    } catch (error) {
      await closeQuietly(conn);
      throw error;
    }
    return conn;
  }

  private onClose(conn: ChannelModel, error: unknown): void {
    if (this.conn !== conn) return; // a connection that never finished its setup, or one we closed
    this.conn = undefined;
    if (this.closed) return;
    const cause = error ? this.options.redactor.error(error) : new Error('connection closed by the broker');
    void this.reconnectLoop(cause);
  }

  private async reconnectLoop(cause: Error): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    this.setState('reconnecting', cause);
    const { initialDelayMs, maxDelayMs } = this.options.reconnect;
    const { logger, role } = this.options;
    const curve = { initialMs: initialDelayMs, maxMs: maxDelayMs, jitter: true };
    let attempt = 0;
    let wait = exponentialBackoff(curve, 1);
    while (!this.closed) {
      if (!(await sleep(wait, this.stopLoop.signal))) break;
      attempt++;
      try {
        const conn = await this.openAny();
        if (this.closed) {
          await closeQuietly(conn);
          break;
        }
        this.conn = conn;
        this.reconnecting = false;
        logger.info({ transport: 'rabbitmq', role, endpoint: this.endpoint, attempts: attempt }, 'rabbitmq reconnected');
        this.setState('connected');
        for (const w of this.waiters) w.resolve(conn);
        this.waiters.clear();
        return;
      } catch (thrown) {
        if (isHeraldError(thrown, 'CONFIG')) {
          // A topology conflict (a queue declared with other arguments): reconnecting cannot fix it.
          // Stop here; the next ensure() (a publish, a subscribe) tries once more and reports it.
          this.giveUp(thrown);
          return;
        }
        wait = exponentialBackoff(curve, attempt + 1);
        logger.warn(
          { transport: 'rabbitmq', role, endpoint: this.options.nodes.describe(), attempt, nextDelayMs: wait, error: this.options.redactor.error(thrown).message },
          'rabbitmq reconnect attempt failed',
        );
      }
    }
    this.reconnecting = false;
  }

  private giveUp(error: Error): void {
    this.reconnecting = false;
    this.options.logger.error({ transport: 'rabbitmq', role: this.options.role, error: error.message }, 'rabbitmq reconnect stopped');
    this.setState('disconnected', error);
    for (const w of this.waiters) w.reject(error);
    this.waiters.clear();
  }

  private waitForConnection(waitMs: number): Promise<ChannelModel> {
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (c: ChannelModel) => {
          clearTimeout(timer);
          resolve(c);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new RabbitMQConnectionError(
            `not connected to ${this.options.nodes.describe()} within ${waitMs} ms: the broker is unreachable (reconnecting)`,
          ),
        );
      }, waitMs);
      this.waiters.add(waiter);
    });
  }

  private connectError(thrown: unknown): Error {
    // Ours (a connection error, a queue declared with other arguments) and already clean.
    if (isHeraldError(thrown)) return thrown;
    const cause = this.options.redactor.error(thrown);
    return new RabbitMQConnectionError(`cannot connect to ${this.options.nodes.describe()}: ${cause.message}`, { cause });
  }

  private setState(state: ConnectionState, error?: Error): void {
    if (state === this.stateNow) return;
    this.stateNow = state;
    this.options.onState(state, error, this.node?.display);
  }
}
