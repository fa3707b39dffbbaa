import { isHeraldError, PublishError, type BaseEvent, type ConnectionState, type HandlerContext } from '@herald/core';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueArgumentsMismatchError } from '../src/index.js';
import { BusFactory, event, rabbitmqctl, uniquePrefix, until, withRawChannel } from './helpers.js';

const buses = new BusFactory();
afterEach(() => buses.cleanup());

/** The arguments the broker holds for each queue under `prefix` (rabbitmqctl, read-only). */
async function queueArguments(prefix: string): Promise<Map<string, string>> {
  const { stdout } = await rabbitmqctl('list_queues', 'name', 'arguments', '--quiet', '--no-table-headers');
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [name, args] = line.split('\t');
    if (name?.startsWith(prefix)) out.set(name, args ?? '');
  }
  return out;
}

describe('RabbitMQEventBus: queueType and queue arguments (single node)', () => {
  it("declares every durable queue quorum with queueType 'quorum', delay queues dead-lettering at-least-once", async () => {
    // Given a quorum bus whose group handler fails once (so a delay queue is declared)
    const bus = buses.create('qq', { queueType: 'quorum' });
    const attempts: number[] = [];
    await bus.subscribe(
      'qq.#',
      {
        handle(_e: BaseEvent, ctx: HandlerContext) {
          attempts.push(ctx.attempt);
          if (ctx.attempt === 1) throw new Error('first attempt fails');
        },
        retryStrategy: { maxAttempts: 3, backoff: { type: 'fixed', delay: 200 } },
      },
      { group: 'workers' },
    );

    // When an event fails once and succeeds on the retry
    await bus.publish(event('qq.item'));
    await until(() => attempts.length === 2, 'the retry through the delay queue', 15_000);

    // Then the group, dead-letter and delay queues are quorum queues with the documented arguments
    const args = await queueArguments(bus.prefix);
    expect(args.get(`${bus.prefix}workers`)).toContain('{"x-queue-type","quorum"}');
    expect(args.get(`${bus.prefix}dead-letters`)).toContain('{"x-queue-type","quorum"}');
    const delay = args.get(`${bus.prefix}retry.200ms`) ?? '';
    for (const expected of [
      '{"x-queue-type","quorum"}',
      '{"x-dead-letter-strategy","at-least-once"}',
      '{"x-overflow","reject-publish"}',
      '{"x-message-ttl",200}',
      '{"x-dead-letter-exchange",[]}', // rabbitmqctl prints the empty string (the default exchange) as []
    ]) {
      expect(delay).toContain(expected);
    }
    expect(attempts).toEqual([1, 2]);
  });

  it('rejects a subscribe whose group queue exists as another type with a typed error naming both, and does not reconnect', async () => {
    // Given a group queue that exists as a classic queue (declared by an older deployment)
    const prefix = uniquePrefix('mm');
    buses.alsoDelete({ queues: [`${prefix}billing`] });
    await withRawChannel(async (ch) => void (await ch.assertQueue(`${prefix}billing`, { durable: true })));

    // When a quorum bus subscribes to that group
    const quorum = buses.create('mm', { prefix, queueType: 'quorum' });
    const states: ConnectionState[] = [];
    quorum.on('connection', ({ state }) => states.push(state));
    const error = await quorum.subscribe('mm.#', () => undefined, { group: 'billing' }).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Then it rejects with QueueArgumentsMismatchError naming the queue and both settings
    expect(error).toBeInstanceOf(QueueArgumentsMismatchError);
    const mismatch = error as QueueArgumentsMismatchError;
    expect(isHeraldError(mismatch, 'CONFIG')).toBe(true);
    expect(mismatch.queue).toBe(`${prefix}billing`);
    expect(mismatch.argument).toBe('x-queue-type');
    expect(mismatch.existing).toMatch(/^classic/);
    expect(mismatch.declared).toBe('quorum');
    expect(mismatch.message).toContain(`"${prefix}billing"`);
    // And the bus neither reconnects nor breaks: its connections stay up and publishing works
    await quorum.publish(event('mm.other'));
    expect(states).not.toContain('reconnecting');
  });

  it('fails connect() and publishes fast when the dead-letter queue exists as another type, without a reconnect loop', async () => {
    // Given the dead-letter queue declared quorum by a quorum bus
    const quorum = buses.create('dlmm', { queueType: 'quorum' });
    await quorum.connect();

    // When a classic bus on the same prefix connects and publishes
    const classic = buses.create('dlmm', { prefix: quorum.prefix });
    const states: ConnectionState[] = [];
    classic.on('connection', ({ state }) => states.push(state));
    const connectError = await classic.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    const started = Date.now();
    const publishError = await classic.publish(event('dlmm.item')).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Then connect() rejects with the mismatch, naming the dead-letter queue and both types
    expect(connectError).toBeInstanceOf(QueueArgumentsMismatchError);
    expect((connectError as QueueArgumentsMismatchError).queue).toBe(`${quorum.prefix}dead-letters`);
    expect((connectError as QueueArgumentsMismatchError).existing).toBe('quorum');
    expect((connectError as QueueArgumentsMismatchError).declared).toMatch(/^classic/);
    // And the publish rejects with a PublishError caused by it, well before publishTimeoutMs
    expect(publishError).toBeInstanceOf(PublishError);
    expect((publishError as PublishError).cause).toBeInstanceOf(QueueArgumentsMismatchError);
    expect(Date.now() - started).toBeLessThan(4_000);
    // And the bus never went into a reconnect loop
    expect(states).not.toContain('reconnecting');
  });
});
