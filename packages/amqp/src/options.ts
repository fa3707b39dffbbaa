import {
  UnsupportedError,
  ValidationError,
  type EventBusMiddleware,
  type EventCodec,
  type Logger,
  type RetryStrategy,
} from '@herald/core';
import { formatServerUrl, parseServerUrl, positiveInt, timerMs } from '@herald/core/transport';

/**
 * Which broker is on the other end: it decides the address scheme and the
 * capabilities. Only `rabbitmq` (RabbitMQ 3.x with its `rabbitmq_amqp1_0`
 * plugin) is implemented and proven so far; see the README for why the others
 * are refused.
 */
export type AmqpBroker = 'rabbitmq' | 'activemq' | 'generic';

/** The connection as fields instead of a URL. */
export interface AmqpConnectionOptions {
  /** `amqps` for TLS. Default `amqp`. */
  protocol?: 'amqp' | 'amqps';
  host?: string;
  /** Default 5672 (`amqp`) or 5671 (`amqps`). */
  port?: number;
  username?: string;
  password?: string;
  /** RabbitMQ virtual host, sent as `vhost:<name>` in the open frame's hostname. Default: the broker's default. */
  vhost?: string;
}

export interface AmqpEventBusOptions extends AmqpConnectionOptions {
  /** `amqp://user:pass@host:5672/vhost` or `amqps://…`. Give this or the connection fields. */
  url?: string;
  /** Default `rabbitmq`. */
  broker?: AmqpBroker;
  /** Prefix of every routing key and queue the bus uses. Default `herald.`. */
  prefix?: string;
  /**
   * RabbitMQ: the topic exchange events go through. AMQP 1.0 cannot declare
   * exchanges on RabbitMQ 3.x, so it must exist; default `amq.topic` (always there).
   */
  exchange?: string;
  /** Retry strategy for handlers that bring none. */
  retry?: RetryStrategy;
  middleware?: EventBusMiddleware[];
  logger?: Logger;
  codec?: EventCodec;
  /** Default concurrency (= link credit) of subscriptions that give none. Default 1. */
  concurrency?: number;
  /** A publish without the broker's outcome within this bound rejects with PublishError; also bounds a subscription's link attach. Default 5,000. */
  publishTimeoutMs?: number;
  /** Bound on `connect()` and on each connection attempt (TCP, SASL, open). Default 5,000. */
  connectTimeoutMs?: number;
  /** How long close/unsubscribe wait for running handlers before aborting `ctx.signal`. Default 10,000. */
  closeTimeoutMs?: number;
  /** Backoff between reconnection attempts. Default 100 ms doubling to 5,000 ms, with jitter. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Shown as the connection's container id on the broker; default `herald-<prefix><random>`. */
  containerId?: string;
}

export interface ResolvedEndpoint {
  protocol: 'amqp' | 'amqps';
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  vhost: string | undefined;
  /** `amqp://host:port/vhost`: safe to log. */
  display: string;
}

export interface ResolvedOptions {
  endpoint: ResolvedEndpoint;
  broker: 'rabbitmq';
  prefix: string;
  exchange: string;
  concurrency: number | undefined;
  publishTimeoutMs: number;
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
  containerId: string | undefined;
}

const NAME = /^[A-Za-z0-9_.:-]*$/;

export function resolveOptions(options: AmqpEventBusOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new ValidationError('options', 'must be an object');
  const broker = options.broker ?? 'rabbitmq';
  if (broker === 'activemq' || broker === 'generic') {
    throw new UnsupportedError(
      'broker',
      `broker "${broker}" is not supported yet: @herald/amqp is proven on RabbitMQ's AMQP 1.0 plugin only (see the README)`,
    );
  }
  if (broker !== 'rabbitmq') throw new ValidationError('broker', 'must be "rabbitmq", "activemq" or "generic"');
  const prefix = options.prefix ?? 'herald.';
  if (typeof prefix !== 'string' || !NAME.test(prefix) || prefix.length > 100) {
    throw new ValidationError('prefix', 'must be at most 100 letters, digits, ".", "_", ":" or "-"');
  }
  if (prefix.length > 0 && !prefix.endsWith('.')) {
    // The prefix is the first word(s) of every routing key: `*` and `#` must still see whole words.
    throw new ValidationError('prefix', 'must be empty or end with "."');
  }
  const exchange = options.exchange ?? 'amq.topic';
  if (typeof exchange !== 'string' || exchange.length === 0 || !NAME.test(exchange) || exchange.length > 200) {
    throw new ValidationError('exchange', 'must be 1–200 letters, digits, ".", "_", ":" or "-"');
  }
  if (options.concurrency !== undefined) positiveInt(options.concurrency, 'concurrency', 65_535);
  if (options.containerId !== undefined && (typeof options.containerId !== 'string' || options.containerId.length === 0)) {
    throw new ValidationError('containerId', 'must be a non-empty string');
  }
  return {
    endpoint: resolveEndpoint(options),
    broker,
    prefix,
    exchange,
    concurrency: options.concurrency,
    publishTimeoutMs: timerMs(options.publishTimeoutMs ?? 5_000, 'publishTimeoutMs'),
    connectTimeoutMs: timerMs(options.connectTimeoutMs ?? 5_000, 'connectTimeoutMs'),
    closeTimeoutMs: timerMs(options.closeTimeoutMs ?? 10_000, 'closeTimeoutMs'),
    reconnect: {
      initialDelayMs: timerMs(options.reconnect?.initialDelayMs ?? 100, 'reconnect.initialDelayMs'),
      maxDelayMs: timerMs(options.reconnect?.maxDelayMs ?? 5_000, 'reconnect.maxDelayMs'),
    },
    containerId: options.containerId,
  };
}

function resolveEndpoint(options: AmqpEventBusOptions): ResolvedEndpoint {
  const fields = options.url === undefined ? options : { ...options, ...parseUrl(options.url) };
  if (options.url !== undefined && (options.host !== undefined || options.port !== undefined)) {
    throw new ValidationError('url', 'give either url or host/port, not both');
  }
  const protocol = fields.protocol ?? 'amqp';
  if (protocol !== 'amqp' && protocol !== 'amqps') throw new ValidationError('protocol', 'must be "amqp" or "amqps"');
  const host = fields.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0) throw new ValidationError('host', 'must be a non-empty string');
  const port = positiveInt(fields.port ?? (protocol === 'amqps' ? 5671 : 5672), 'port', 65_535);
  for (const key of ['username', 'password', 'vhost'] as const) {
    const v = fields[key];
    if (v !== undefined && typeof v !== 'string') throw new ValidationError(key, 'must be a string');
  }
  const vhost = fields.vhost === '' ? undefined : fields.vhost;
  const display = formatServerUrl({ protocol, host, port, path: vhost });
  return { protocol, host, port, username: fields.username, password: fields.password, vhost, display };
}

/** `amqp(s)://user:pass@host:port/vhost` as connection fields; the URL is never echoed (it may hold a password). */
function parseUrl(url: string): AmqpConnectionOptions {
  const u = parseServerUrl(url, 'url', AMQP_SCHEMES, 'amqp://user:pass@host:5672/vhost');
  const out: AmqpConnectionOptions = { protocol: u.protocol as 'amqp' | 'amqps', host: u.host };
  if (u.port !== undefined) out.port = u.port;
  if (u.username !== undefined) out.username = u.username;
  if (u.password !== undefined) out.password = u.password;
  if (u.path !== undefined) out.vhost = u.path;
  return out;
}

/** The URL schemes this package connects with. */
export const AMQP_SCHEMES = ['amqp', 'amqps'] as const;
