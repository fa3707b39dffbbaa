import {
  ValidationError,
  type EventBusMiddleware,
  type EventCodec,
  type Logger,
  type RetryStrategy,
  type Upcasters,
} from '@herald/core';
import { formatServerUrl, parseServerUrl, positiveInt, timerMs } from '@herald/core/transport';

/** amqplib's connection fields, as an object instead of a URL. */
export interface RabbitMQConnectionOptions {
  /** `amqps` for TLS. Default `amqp`. */
  protocol?: 'amqp' | 'amqps';
  hostname?: string;
  /** Default 5672 (`amqp`) or 5671 (`amqps`). */
  port?: number;
  username?: string;
  password?: string;
  /** Default `/`. */
  vhost?: string;
  /** Heartbeat in seconds. Default 10: a dead peer is noticed within ~20 s. */
  heartbeat?: number;
  frameMax?: number;
}

export type QueueType = 'classic' | 'quorum';

/** A dead-letter exchange of your own, and the routing key dead letters are published there with. */
export interface DeadLetterRoute {
  /** Declared as a durable topic exchange when missing; used as it is when it exists. */
  exchange: string;
  /** Default: the event type (`undecodable` for a message that is not an event). */
  routingKey?: string;
}

export interface RabbitMQEventBusOptions {
  /** `amqp://user:pass@host:5672/vhost` or `amqps://…` (TLS). Give this, `urls` or `connection`. */
  url?: string;
  /**
   * The nodes of a cluster, as URLs. The bus connects to the first reachable
   * one, in order; when a connection is lost it tries the next node first.
   */
  urls?: string[];
  /** Connection fields as an object, or one object per cluster node. Give this, `url` or `urls`. */
  connection?: RabbitMQConnectionOptions | RabbitMQConnectionOptions[];
  /** Passed to `net.connect` / `tls.connect`: `ca`, `cert`, `key`, `servername`, … */
  socketOptions?: Record<string, unknown>;
  /** Shown in the management UI and `rabbitmqctl list_connections`; `:publish` / `:consume` is appended. */
  connectionName?: string;
  /** Durable topic exchange events are published to. Default `${prefix}events`. */
  exchange?: string;
  /** Prefix of every queue and exchange the bus declares. Default `herald.`. */
  prefix?: string;
  /**
   * Unacknowledged messages the broker may send one subscription. Default
   * `10 × concurrency`; never less than the subscription's concurrency.
   */
  prefetch?: number;
  /** Queue type of group queues. Ungrouped queues are always exclusive classic queues. Default `classic`. */
  queueType?: QueueType;
  /** Retry strategy for handlers that bring none. */
  retry?: RetryStrategy;
  /**
   * Publish exhausted events to your own exchange instead of the bus's `${prefix}dead-letter`
   * (the README's "Your own dead-letter exchange"). The bus binds its `${prefix}dead-letters`
   * queue to it with the routing key, so `bus.deadLetters` still lists, replays and purges them.
   * Replaces a retry strategy's `deadLetter.exchange` / `routingKey`, which still work
   * (deprecated): a handler whose strategy names a route keeps it.
   */
  deadLetterRoute?: DeadLetterRoute;
  middleware?: EventBusMiddleware[];
  logger?: Logger;
  codec?: EventCodec;
  /** Received events are brought to their current schema before a handler sees them; failures are dead-lettered. */
  upcasters?: Upcasters;
  /**
   * A publish not confirmed within this bound (e.g. the broker is unreachable) rejects with
   * PublishError. Also bounds the bus's other requests once connecting is over (subscribe's
   * declarations, dead-letter reads). Default 5,000.
   */
  publishTimeoutMs?: number;
  /**
   * Publishes awaiting the broker's confirm at once. Past it `publish` waits, in
   * order, for one to settle; the wait counts within `publishTimeoutMs`, after
   * which it rejects with PublishError. Bounds the memory of a publisher that
   * does not await. Default 10,000.
   */
  maxPublishesInFlight?: number;
  /** How long close/unsubscribe wait for running handlers before aborting `ctx.signal`. Default 10,000. */
  closeTimeoutMs?: number;
  /** Bound on `connect()` and on each connection attempt (TCP/TLS and the AMQP handshake). Default 5,000. */
  connectTimeoutMs?: number;
  /** Reject a publish that no queue is bound for (PublishError) instead of letting the broker drop it. Default false. */
  mandatory?: boolean;
  /** Backoff between reconnection attempts. Default 100 ms doubling to 5,000 ms, with jitter. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

/** What amqplib's `connect` takes, resolved once from `url` or `connection`. */
export interface ResolvedEndpoint {
  connect: Required<Pick<RabbitMQConnectionOptions, 'protocol' | 'hostname' | 'port' | 'vhost' | 'heartbeat'>> &
    Pick<RabbitMQConnectionOptions, 'username' | 'password' | 'frameMax'>;
  /** `amqp://host:port/vhost` — safe to log. */
  display: string;
  secrets: string[];
}

export interface ResolvedOptions {
  /** One per node, in the order given; at least one. */
  endpoints: ResolvedEndpoint[];
  socketOptions: Record<string, unknown>;
  connectionName: string;
  exchange: string;
  prefix: string;
  prefetch: number | undefined;
  queueType: QueueType;
  publishTimeoutMs: number;
  maxPublishesInFlight: number;
  closeTimeoutMs: number;
  connectTimeoutMs: number;
  mandatory: boolean;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  deadLetterRoute: DeadLetterRoute | undefined;
}

const NAME = /^[A-Za-z0-9_.:-]*$/;

export function resolveOptions(options: RabbitMQEventBusOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new ValidationError('options', 'must be an object');
  const prefix = options.prefix ?? 'herald.';
  if (typeof prefix !== 'string' || !NAME.test(prefix) || prefix.length > 100) {
    throw new ValidationError('prefix', 'must be at most 100 letters, digits, ".", "_", ":" or "-"');
  }
  const exchange = options.exchange ?? `${prefix}events`;
  if (typeof exchange !== 'string' || exchange.length === 0 || !NAME.test(exchange) || exchange.length > 200) {
    throw new ValidationError('exchange', 'must be 1–200 letters, digits, ".", "_", ":" or "-"');
  }
  const queueType = options.queueType ?? 'classic';
  if (queueType !== 'classic' && queueType !== 'quorum') {
    throw new ValidationError('queueType', 'must be "classic" or "quorum"');
  }
  if (options.prefetch !== undefined) positiveInt(options.prefetch, 'prefetch', 65_535);
  if (options.mandatory !== undefined && typeof options.mandatory !== 'boolean') {
    throw new ValidationError('mandatory', 'must be a boolean');
  }
  const reconnect = {
    initialDelayMs: timerMs(options.reconnect?.initialDelayMs ?? 100, 'reconnect.initialDelayMs'),
    maxDelayMs: timerMs(options.reconnect?.maxDelayMs ?? 5_000, 'reconnect.maxDelayMs'),
  };
  const connectionName = options.connectionName ?? `herald:${prefix}`;
  if (typeof connectionName !== 'string') throw new ValidationError('connectionName', 'must be a string');
  return {
    endpoints: resolveEndpoints(options),
    socketOptions: { ...(options.socketOptions ?? {}) },
    connectionName,
    exchange,
    prefix,
    prefetch: options.prefetch,
    queueType,
    publishTimeoutMs: timerMs(options.publishTimeoutMs ?? 5_000, 'publishTimeoutMs'),
    maxPublishesInFlight: timerMs(options.maxPublishesInFlight ?? 10_000, 'maxPublishesInFlight'),
    closeTimeoutMs: timerMs(options.closeTimeoutMs ?? 10_000, 'closeTimeoutMs'),
    connectTimeoutMs: positiveInt(options.connectTimeoutMs ?? 5_000, 'connectTimeoutMs'),
    mandatory: options.mandatory ?? false,
    reconnect,
    deadLetterRoute: resolveDeadLetterRoute(options.deadLetterRoute),
  };
}

/** AMQP 0-9-1 names (exchange, routing key) are short strings: at most 255 bytes. */
function resolveDeadLetterRoute(route: DeadLetterRoute | undefined): DeadLetterRoute | undefined {
  if (route === undefined) return undefined;
  if (route === null || typeof route !== 'object') throw new ValidationError('deadLetterRoute', 'must be an object');
  const { exchange, routingKey } = route;
  if (typeof exchange !== 'string' || exchange.length === 0 || Buffer.byteLength(exchange) > 255) {
    throw new ValidationError('deadLetterRoute.exchange', 'must be an exchange name of 1–255 bytes');
  }
  if (routingKey !== undefined && (typeof routingKey !== 'string' || Buffer.byteLength(routingKey) > 255)) {
    throw new ValidationError('deadLetterRoute.routingKey', 'must be a string of at most 255 bytes');
  }
  return routingKey === undefined ? { exchange } : { exchange, routingKey };
}

function resolveEndpoints(options: RabbitMQEventBusOptions): ResolvedEndpoint[] {
  const given = [options.url, options.urls, options.connection].filter((o) => o !== undefined).length;
  if (given > 1) throw new ValidationError('url', 'give either url, urls or connection, not several');
  if (options.url !== undefined) return [resolveEndpoint(parseUrl(options.url, 'url'), 'connection')];
  if (options.urls !== undefined) {
    if (!Array.isArray(options.urls) || options.urls.length === 0) {
      throw new ValidationError('urls', 'must be a non-empty array of amqp:// or amqps:// URLs');
    }
    return options.urls.map((url, i) => resolveEndpoint(parseUrl(url, `urls[${i}]`), `urls[${i}]`));
  }
  const { connection } = options;
  if (Array.isArray(connection)) {
    if (connection.length === 0) throw new ValidationError('connection', 'must not be an empty array');
    return connection.map((c, i) => resolveEndpoint(connectionObject(c, `connection[${i}]`), `connection[${i}]`));
  }
  if (connection !== undefined) return [resolveEndpoint(connectionObject(connection, 'connection'), 'connection')];
  throw new ValidationError('url', 'a url (amqp:// or amqps://), urls or connection options are required');
}

function connectionObject(c: unknown, field: string): RabbitMQConnectionOptions {
  if (c === null || typeof c !== 'object') throw new ValidationError(field, 'must be an object');
  return c as RabbitMQConnectionOptions;
}

function resolveEndpoint(c: RabbitMQConnectionOptions, field: string): ResolvedEndpoint {
  const protocol = c.protocol ?? 'amqp';
  if (protocol !== 'amqp' && protocol !== 'amqps') throw new ValidationError(`${field}.protocol`, 'must be "amqp" or "amqps"');
  const hostname = c.hostname ?? 'localhost';
  if (typeof hostname !== 'string' || hostname.length === 0) {
    throw new ValidationError(`${field}.hostname`, 'must be a non-empty string');
  }
  const port = c.port ?? (protocol === 'amqps' ? 5671 : 5672);
  positiveInt(port, `${field}.port`, 65_535);
  const vhost = c.vhost ?? '/';
  const heartbeat = c.heartbeat ?? 10;
  if (!Number.isInteger(heartbeat) || heartbeat < 0) throw new ValidationError(`${field}.heartbeat`, 'must be an integer ≥ 0 (seconds)');
  const connect: ResolvedEndpoint['connect'] = { protocol, hostname, port, vhost, heartbeat };
  if (c.username !== undefined) connect.username = c.username;
  if (c.password !== undefined) connect.password = c.password;
  if (c.frameMax !== undefined) connect.frameMax = c.frameMax;
  const display = formatServerUrl({ protocol, host: hostname, port, path: vhost });
  return { connect, display, secrets: c.password ? [c.password] : [] };
}

/** `amqp(s)://user:pass@host:port/vhost?heartbeat=…&frameMax=…` as connection fields; the URL is never echoed. */
function parseUrl(url: string, field: string): RabbitMQConnectionOptions {
  const u = parseServerUrl(url, field, AMQP_SCHEMES, AMQP_URL_EXAMPLE);
  const out: RabbitMQConnectionOptions = { protocol: u.protocol as 'amqp' | 'amqps', hostname: u.host };
  if (u.port !== undefined) out.port = u.port;
  if (u.username !== undefined) out.username = u.username;
  if (u.password !== undefined) out.password = u.password;
  if (u.path !== undefined) out.vhost = u.path;
  const heartbeat = u.params.get('heartbeat');
  if (heartbeat !== null) out.heartbeat = Number(heartbeat);
  const frameMax = u.params.get('frameMax');
  if (frameMax !== null) out.frameMax = Number(frameMax);
  return out;
}

const AMQP_SCHEMES = ['amqp', 'amqps'] as const;
const AMQP_URL_EXAMPLE = 'amqp://user:pass@host:5672/vhost';
