import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import rhea, { type Connection, type Sender } from 'rhea';
import { TcpProxy } from '../../../tooling/test-support/tcp-proxy.js';
import { AmqpEventBus, type AmqpEventBusOptions } from '../src/index.js';

export { until } from '../../../tooling/test-support/wait.js';
export { TcpProxy };

export const AMQP_HOST = process.env.HERALD_TEST_AMQP_HOST ?? '127.0.0.1';
export const AMQP_PORT = Number(process.env.HERALD_TEST_AMQP_PORT ?? 5672);
export const AMQP_URL = `amqp://guest:guest@${AMQP_HOST}:${AMQP_PORT}`;
const run = promisify(execFile);

let counter = 0;
/** A prefix no other test (or engineer) uses: routing keys and the dead-letter queue live under it. */
export function uniquePrefix(tag: string): string {
  return `t-amqp.${tag}.${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}.`;
}

/**
 * Buses with unique prefixes, each behind its own TCP proxy so a test can drop
 * that bus's connection without touching the shared broker (RabbitMQ 3.10
 * lists no AMQP 1.0 connections in `rabbitmqctl`, so they cannot be closed by
 * pid there). Deletes the dead-letter queues afterwards.
 */
export class BusFactory {
  private readonly prefixes: string[] = [];
  private readonly proxies = new Map<AmqpEventBus, TcpProxy>();

  async create(tag: string, options: Partial<AmqpEventBusOptions> = {}): Promise<AmqpEventBus> {
    const prefix = options.prefix ?? uniquePrefix(tag);
    const proxy = new TcpProxy(AMQP_PORT, AMQP_HOST);
    await proxy.start();
    const bus = new AmqpEventBus({ url: `amqp://guest:guest@${proxy.address}`, prefix, ...options });
    this.prefixes.push(prefix);
    this.proxies.set(bus, proxy);
    return bus;
  }

  proxyOf(bus: AmqpEventBus): TcpProxy {
    const proxy = this.proxies.get(bus);
    if (!proxy) throw new Error('not a bus of this factory');
    return proxy;
  }

  async cleanup(): Promise<void> {
    for (const proxy of this.proxies.values()) await proxy.stop();
    this.proxies.clear();
    await deleteQueuesUnder(this.prefixes.splice(0));
  }
}

/** Deletes the queues whose names start with one of the prefixes (the dead-letter queues). */
export async function deleteQueuesUnder(prefixes: string[]): Promise<void> {
  if (prefixes.length === 0) return;
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_queues', 'name', '--no-table-headers']);
  const names = stdout.split('\n').map((l) => l.trim()).filter((n) => prefixes.some((p) => n.startsWith(p)));
  for (const name of names) await run('rabbitmqctl', ['-q', 'delete_queue', name]).catch(() => undefined);
}

/**
 * Reads (and removes) every message of a queue with a plain rhea receiver: collects until
 * `expected` have arrived, accepts them, closes. Test-only: it knows how many to wait for.
 */
export async function takeFromQueue(queue: string, expected: number, timeoutMs = 10_000): Promise<Array<Record<string, unknown>>> {
  const container = rhea.create_container();
  const conn = container.connect({ host: AMQP_HOST, port: AMQP_PORT, username: 'guest', password: 'guest', reconnect: false });
  conn.on('connection_error', () => undefined);
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fewer than ${expected} messages in ${queue}`)), timeoutMs);
      const got: Array<Record<string, unknown>> = [];
      const receiver = conn.open_receiver({ source: { address: `/queue/${queue}`, durable: 2 }, credit_window: expected, autoaccept: true });
      receiver.on('message', (ctx) => {
        const body = (ctx.message as { body: { content: Buffer } }).body.content;
        got.push({ ...(JSON.parse(body.toString('utf8')) as Record<string, unknown>), properties: ctx.message?.application_properties });
        if (got.length === expected) {
          clearTimeout(timer);
          setImmediate(() => resolve(got));
        }
      });
    });
  } finally {
    conn.close();
  }
}

/** A plain rhea connection for putting raw bytes on the wire (malformed-message cases). */
export class RawSender {
  private connection: Connection | undefined;
  private sender: Sender | undefined;

  async send(routingKey: string, raw: Uint8Array | string): Promise<void> {
    const sender = await this.open();
    const body = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw);
    await new Promise<void>((resolve, reject) => {
      const delivery = sender.send({ subject: routingKey, durable: true, body: rhea.message.data_section(body) });
      const onAccepted = (ctx: { delivery?: unknown }) => {
        if (ctx.delivery !== delivery) return;
        sender.off('accepted', onAccepted);
        resolve();
      };
      sender.on('accepted', onAccepted);
      sender.once('rejected', () => reject(new Error('raw message rejected')));
    });
  }

  close(): void {
    this.connection?.close();
  }

  private open(): Promise<Sender> {
    if (this.sender) return Promise.resolve(this.sender);
    return new Promise<Sender>((resolve, reject) => {
      const container = rhea.create_container();
      const conn = container.connect({ host: AMQP_HOST, port: AMQP_PORT, username: 'guest', password: 'guest', reconnect: false });
      this.connection = conn;
      conn.on('connection_error', () => undefined);
      conn.on('disconnected', (ctx) => reject(ctx.error ?? new Error('raw sender disconnected')));
      const sender = conn.open_sender({ target: { address: '/exchange/amq.topic' } });
      sender.once('sendable', () => {
        this.sender = sender;
        resolve(sender);
      });
    });
  }
}
