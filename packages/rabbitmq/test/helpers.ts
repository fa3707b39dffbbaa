import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { createDomainEvent, type DomainEvent, type Logger } from '@herald/core';
import amqp from 'amqplib';
import { RabbitMQEventBus, type RabbitMQEventBusOptions } from '../src/index.js';

export const AMQP_URL = process.env.HERALD_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/%2f';
const run = promisify(execFile);

let counter = 0;
/** A prefix no other test (or engineer) uses: everything a bus declares lives under it. */
export function uniquePrefix(tag: string): string {
  return `t.${tag}.${process.pid}.${Date.now().toString(36)}.${(counter++).toString(36)}.`;
}

/** Creates buses with unique prefixes and deletes everything they declared afterwards. */
export class BusFactory {
  private readonly buses: RabbitMQEventBus[] = [];
  private readonly extraQueues = new Set<string>();
  private readonly extraExchanges = new Set<string>();

  create(tag: string, options: Partial<RabbitMQEventBusOptions> = {}): RabbitMQEventBus {
    const prefix = options.prefix ?? uniquePrefix(tag);
    const bus = new RabbitMQEventBus({
      url: AMQP_URL,
      prefix,
      connectionName: `herald-test:${prefix}`,
      ...options,
    });
    this.buses.push(bus);
    return bus;
  }

  /** Names a test declared by hand, deleted with the rest. */
  alsoDelete(names: { queues?: string[]; exchanges?: string[] }): void {
    for (const q of names.queues ?? []) this.extraQueues.add(q);
    for (const e of names.exchanges ?? []) this.extraExchanges.add(e);
  }

  async cleanup(): Promise<void> {
    const buses = this.buses.splice(0);
    await Promise.allSettled(buses.map((b) => b.close()));
    const queues = new Set(this.extraQueues);
    const exchanges = new Set(this.extraExchanges);
    this.extraQueues.clear();
    this.extraExchanges.clear();
    for (const b of buses) {
      const d = b.declaredTopology();
      for (const q of d.queues) queues.add(q);
      for (const e of d.exchanges) exchanges.add(e);
    }
    if (queues.size === 0 && exchanges.size === 0) return;
    await deleteTopology([...queues], [...exchanges]);
  }
}

export async function deleteTopology(queues: string[], exchanges: string[]): Promise<void> {
  const conn = await amqp.connect(AMQP_URL);
  try {
    const ch = await conn.createChannel();
    for (const q of queues) await ch.deleteQueue(q);
    for (const e of exchanges) await ch.deleteExchange(e);
    await ch.close();
  } finally {
    await conn.close();
  }
}

/** Runs `job` on a channel of a plain amqplib connection (for raw injection and inspection). */
export async function withRawChannel<T>(job: (ch: amqp.Channel) => Promise<T>): Promise<T> {
  const conn = await amqp.connect(AMQP_URL);
  try {
    const ch = await conn.createChannel();
    const out = await job(ch);
    await ch.close();
    return out;
  } finally {
    await conn.close();
  }
}

export async function queueDepth(queue: string): Promise<number> {
  return withRawChannel(async (ch) => (await ch.checkQueue(queue)).messageCount);
}

export function event(type: string, data: Record<string, unknown> = {}): DomainEvent {
  return createDomainEvent({
    type,
    aggregateId: 'agg-1',
    aggregateType: 'Test',
    data,
    metadata: { source: 'rabbitmq-tests', environment: 'test' },
  });
}

/** Polls `condition` until it holds, at most `timeoutMs`; the message names what was awaited. */
export async function until<T>(condition: () => T | Promise<T>, message: string, timeoutMs = 10_000): Promise<Exclude<NonNullable<T>, false>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await condition();
      if (v) return v as Exclude<NonNullable<T>, false>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A logger that keeps every line, to assert on what was (not) logged. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (fields: Record<string, unknown>, message: string) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields)}`);
  };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** Closes, through rabbitmqctl, every connection whose connection_name starts with `name`. Returns how many. */
export async function closeConnectionsNamed(name: string): Promise<number> {
  const { stdout } = await run('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '--quiet', '--no-table-headers'], {
    timeout: 30_000,
  });
  const pids: string[] = [];
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    if (line.includes(`{"connection_name","${name}`)) pids.push(line.slice(0, tab).trim());
  }
  for (const pid of pids) {
    await run('rabbitmqctl', ['close_connection', pid, 'herald test: killing own connection'], { timeout: 30_000 });
  }
  return pids.length;
}

export function rabbitmqctl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('rabbitmqctl', args, { timeout: 120_000 });
}

/**
 * A TCP proxy in front of the broker, so a test can make "the broker" vanish
 * (refuse connections), drop connections, or swallow traffic — for this test's
 * bus only, without touching the broker other tests share.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  /** When true, accepted connections are held open but nothing is forwarded. */
  blackhole = false;

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => client.destroy());
      if (this.blackhole) return;
      const upstream = net.connect(5672, '127.0.0.1');
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Drops every connection but keeps accepting new ones. */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Refuses connections from now on and drops the open ones: the broker is unreachable. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.cut();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}/%2f`;
  }
}
