import { isHeraldError, type BaseEvent, type ConnectionState } from '@herald/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CapturingLogger } from '../../../tooling/test-support/logs.js';
import { RabbitMQConnectionError } from '../src/index.js';
import {
  brokerProxy,
  BusFactory,
  closeConnectionsNamed,
  event,
  proxyUrl,
  queueDepth,
  rabbitmqctl,
  type TcpProxy,
  until,
  withRawChannel,
} from './helpers.js';

const buses = new BusFactory();
const proxies: TcpProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
  await buses.cleanup();
});

async function proxy(): Promise<TcpProxy> {
  const p = brokerProxy();
  await p.start();
  proxies.push(p);
  return p;
}

describe('RabbitMQEventBus: connections', () => {
  it('connect() and publish() fail fast when nothing listens', async () => {
    // Given a bus pointed at a port nothing listens on
    const p = await proxy();
    await p.stop();
    // (timeouts far beyond the case's own, so only a refusal — never a timer — can end the calls in time)
    const bus = buses.create('refused', { url: proxyUrl(p), connectTimeoutMs: 120_000, publishTimeoutMs: 120_000 });
    const states: string[] = [];
    bus.on('connection', ({ state }) => states.push(state));

    // When connecting and publishing
    const connectError = await bus.connect().catch((e: unknown) => e);
    const publishError = await bus.publish(event('refused.x')).catch((e: unknown) => e);

    // Then both reject on the refusal (one attempt, no reconnect loop), naming the endpoint
    expect(states).not.toContain('reconnecting');
    expect(connectError).toBeInstanceOf(RabbitMQConnectionError);
    expect(isHeraldError(connectError, 'CONNECTION'), String(connectError)).toBe(true);
    expect((connectError as Error).name).toBe('RabbitMQConnectionError');
    expect((connectError as Error).message).toContain(`127.0.0.1:${p.port}`);
    expect(isHeraldError(publishError, 'PUBLISH'), String(publishError)).toBe(true);
  });

  it('connect() is bounded when the server accepts but never answers', async () => {
    const p = await proxy();
    p.blackhole();
    const bus = buses.create('blackhole', { url: proxyUrl(p), connectTimeoutMs: 500, publishTimeoutMs: 120_000 });
    const t0 = Date.now();
    const error = await bus.connect().catch((e: unknown) => e);
    // The connect timeout ended it: not before it, and (a bound only against hangs) long before the other timeouts.
    expect(error).toBeInstanceOf(RabbitMQConnectionError);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(490);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('never shows the password in an error or a log line (wrong password)', async () => {
    // Given a bus with a wrong password, by URL and by connection options
    const password = 'Sup3r-S3cret-Pw!';
    for (const options of [
      { url: `amqp://guest:${encodeURIComponent(password)}@127.0.0.1:5672/%2f` },
      { connection: { hostname: '127.0.0.1', username: 'guest', password } },
    ]) {
      const logger = new CapturingLogger();
      const bus = buses.create('badpw', { ...options, logger, url: undefined, ...('url' in options ? { url: options.url } : {}) });

      // When it connects, publishes and subscribes
      const errors = [
        await bus.connect().catch((e: unknown) => e),
        await bus.publish(event('badpw.x')).catch((e: unknown) => e),
        await bus.subscribe('badpw.#', () => {}).catch((e: unknown) => e),
      ];

      // Then every attempt is refused, and no message, stack, cause or log line holds the password
      for (const error of errors) {
        expect(error).toBeInstanceOf(Error);
        let e: unknown = error;
        while (e instanceof Error) {
          for (const text of [e.message, e.stack ?? '', JSON.stringify(e), String(e)]) {
            expect(text).not.toContain(password);
            expect(text).not.toContain(encodeURIComponent(password));
          }
          e = e.cause;
        }
      }
      expect((errors[0] as Error).message).toMatch(/ACCESS.REFUSED|refused|403/i);
      expect(logger.lines.length).toBeGreaterThan(0);
      expect(logger.text()).not.toContain(password);
    }
  });

  it('reconnects after the broker closes its connections, restores consumers and reports the states', async () => {
    // Given a subscribed bus that records its connection states and logs
    const logger = new CapturingLogger();
    const bus = buses.create('kill', { logger });
    const states: ConnectionState[] = [];
    bus.on('connection', (c) => states.push(c.state));
    const got = new Set<string>();
    await bus.subscribe('kill.#', (ev) => {
      got.add(ev.id);
    }, { group: 'k' });
    await bus.publish(event('kill.before'));
    await until(() => got.size === 1, 'the first event');

    // When the broker closes both of its connections
    expect(await closeConnectionsNamed(`herald-test:${bus.prefix}`)).toBe(2);

    // Then it reports reconnecting, then connected, and delivers again
    await until(() => states.includes('reconnecting') && states.at(-1) === 'connected', 'reconnecting → connected');
    const after = event('kill.after');
    await until(async () => {
      await bus.publish(after).catch(() => undefined);
      return got.has(after.id);
    }, 'an event published after the reconnect');
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.startsWith('rabbitmq: reconnecting'))).toBe(true);
    expect(logger.lines.some((l) => l.level === 'info' && l.message.startsWith('rabbitmq reconnected'))).toBe(true);
  });

  it('rejects publishes within publishTimeoutMs while the broker is unreachable, and recovers when it is back', async () => {
    // Given a bus connected through a proxy, with a subscriber
    const p = await proxy();
    const bus = buses.create('unreach', { url: proxyUrl(p), publishTimeoutMs: 1_000, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    const got = new Set<string>();
    await bus.subscribe('unreach.#', (ev) => {
      got.add(ev.id);
    }, { group: 'u' });
    await bus.publish(event('unreach.before'));

    // When the broker becomes unreachable
    const port = p.port;
    await p.stop();
    await until(async () => (await bus.publish(event('unreach.probe')).then(() => false, () => true)), 'publishes to start failing');
    const t0 = Date.now();
    const error = await bus.publish(event('unreach.lost')).catch((e: unknown) => e);
    const took = Date.now() - t0;

    // Then a publish rejects with PublishError, ended by publishTimeoutMs (not before it, and not hanging)
    expect(isHeraldError(error, 'PUBLISH'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/within 1000 ms/);
    expect(took).toBeGreaterThanOrEqual(990);
    expect(took).toBeLessThan(20_000);

    // And when the broker is reachable again, publishing and delivery resume
    p.port = port;
    await p.start();
    const back = event('unreach.back');
    await until(async () => {
      await bus.publish(back).catch(() => undefined);
      return got.has(back.id);
    }, 'delivery after the broker is back');
  });

  it('writes unconfirmed publishes again after a dropped connection instead of failing them', async () => {
    // Given a proxied bus with a group subscriber
    const p = await proxy();
    const bus = buses.create('resend', { url: proxyUrl(p), publishTimeoutMs: 5_000, reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    const got = new Set<string>();
    await bus.subscribe('resend.#', (ev) => {
      got.add(ev.id);
    }, { group: 'r' });

    // When 500 publishes are in flight and the connection drops under them
    const sent = Array.from({ length: 500 }, (_, i) => event('resend.item', { i }));
    const outcomes = sent.map((e) => bus.publish(e).then(() => 'ok', (err: Error) => err.message));
    p.dropAll();
    const results = await Promise.all(outcomes);

    // Then they all resolve (re-sent on the new connection) and are all delivered
    expect(results.filter((r) => r !== 'ok')).toEqual([]);
    await until(() => sent.every((e) => got.has(e.id)), 'all 500 events');
  });

  it('surfaces a broker-side consumer cancellation (queue deleted) and recovers', async () => {
    // Given a group subscriber
    const bus = buses.create('cancel');
    const cancelled: string[] = [];
    bus.on('consumerCancelled', (info) => cancelled.push(info.queue));
    const got = new Set<string>();
    await bus.subscribe('cancel.#', (ev) => {
      got.add(ev.id);
    }, { group: 'c' });

    // When its queue is deleted behind its back
    await withRawChannel(async (ch) => {
      await ch.deleteQueue(`${bus.prefix}c`);
    });

    // Then the cancellation is reported, the queue declared again, and delivery goes on
    await until(() => cancelled.length === 1, 'the cancellation to be reported');
    expect(cancelled).toEqual([`${bus.prefix}c`]);
    const e = event('cancel.after');
    await until(async () => {
      await bus.publish(e);
      return got.has(e.id);
    }, 'delivery after the queue came back');
  });

  it('close() leaves messages it did not finish in the queue for redelivery', async () => {
    // Given a group member that handles slowly, with messages prefetched
    const bus = buses.create('unacked', { closeTimeoutMs: 300 });
    const started: BaseEvent[] = [];
    await bus.subscribe('unacked.#', async (ev, ctx) => {
      started.push(ev);
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      throw new Error('aborted');
    }, { group: 'slow' });
    for (let i = 0; i < 10; i++) await bus.publish(event('unacked.item', { i }));
    await until(() => started.length === 1, 'the first handler to start');

    // When the bus closes (the running handler is aborted after closeTimeoutMs)
    await bus.close();

    // Then the nine never started are back in the queue, and the aborted one went to a retry
    const queue = `${bus.prefix}slow`;
    await until(async () => (await queueDepth(queue)) >= 9, 'nine messages back in the group queue');
    expect(started).toHaveLength(1);
  });

  it('ties the consumer prefetch to the subscription concurrency', async () => {
    const bus = buses.create('prefetch');
    await bus.subscribe('prefetch.a', () => {}, { group: 'a', concurrency: 3 });
    const capped = buses.create('prefetch', { prefetch: 2, prefix: `${bus.prefix}x.` });
    await capped.subscribe('prefetch.b', () => {}, { group: 'b', concurrency: 5 });
    const { stdout } = await rabbitmqctl('list_consumers', 'queue_name', 'prefetch_count', '--quiet', '--no-table-headers');
    const prefetchOf = (q: string) =>
      stdout
        .split('\n')
        .map((l) => l.split('\t'))
        .find(([name]) => name === q)?.[1];
    expect(prefetchOf(`${bus.prefix}a`)).toBe('30');
    expect(prefetchOf(`${bus.prefix}x.b`)).toBe('5');
  });
});
