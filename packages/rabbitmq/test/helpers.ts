import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createDomainEvent, type EventBus } from '@herald/core';
import amqp from 'amqplib';
import { domainEventMaker } from '../../../tooling/test-support/events.js';
import { deleteTopology, withChannel } from '../../../tooling/test-support/rabbitmq.js';
import { TcpProxy } from '../../../tooling/test-support/tcp-proxy.js';
import { RabbitMQEventBus, type RabbitMQEventBusOptions } from '../src/index.js';

export type { TcpProxy } from '../../../tooling/test-support/tcp-proxy.js';
import { until } from '../../../tooling/test-support/wait.js';

export { until };

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
    const extra = { queues: [...this.extraQueues], exchanges: [...this.extraExchanges] };
    this.extraQueues.clear();
    this.extraExchanges.clear();
    await deleteTopology(amqp, AMQP_URL, buses, extra);
  }
}

/** Runs `job` on a channel of a plain amqplib connection (for raw injection and inspection). */
export function withRawChannel<T>(job: (ch: amqp.Channel) => Promise<T>): Promise<T> {
  return withChannel(amqp, AMQP_URL, job);
}

/**
 * The conformance suite's `injectRaw`: publishes raw bytes, persistent, to the bus's exchange
 * through `channel` (the single broker's or the cluster's).
 */
export function rawInjector(channel: (job: (ch: amqp.Channel) => Promise<void>) => Promise<void> = withRawChannel) {
  return async (bus: EventBus, type: string, raw: Uint8Array | string): Promise<void> => {
    const exchange = (bus as RabbitMQEventBus).exchange;
    const content = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw);
    await channel(async (ch) => {
      ch.publish(exchange, type, content, { persistent: true });
    });
  };
}

export async function queueDepth(queue: string): Promise<number> {
  return withRawChannel(async (ch) => (await ch.checkQueue(queue)).messageCount);
}

export const event = domainEventMaker(createDomainEvent, 'rabbitmq-tests');

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

/** A TCP proxy in front of the broker (see tooling/test-support/tcp-proxy.ts). */
export function brokerProxy(): TcpProxy {
  return new TcpProxy(5672);
}

/** The URL of the broker through `proxy`. */
export function proxyUrl(proxy: TcpProxy): string {
  return `amqp://guest:guest@${proxy.address}/%2f`;
}

/** Puts `count` dead letters of `type`, failed in `queue`, straight into the bus's dead-letter queue (as the bus writes them). */
export async function seedDeadLetters(prefix: string, queue: string, type: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  await withRawChannel(async (ch) => {
    for (let i = 0; i < count; i++) {
      const e = event(type, { i });
      ids.push(e.id);
      ch.sendToQueue(`${prefix}dead-letters`, Buffer.from(JSON.stringify(e)), {
        persistent: true,
        messageId: e.id,
        headers: {
          'x-herald-dead-letter-id': `dl-${i}`,
          'x-herald-error-name': 'Error',
          'x-herald-error-message': 'broken',
          'x-herald-attempts': 3,
          'x-herald-pattern': `${type.split('.')[0]}.#`,
          'x-herald-group': 'g',
          'x-herald-queue': queue,
          'x-herald-failed-at': new Date().toISOString(),
        },
      });
    }
  });
  await until(async () => (await queueDepth(`${prefix}dead-letters`)) === count, `${count} dead letters in the queue`, 60_000);
  return ids;
}
