import { isHeraldError, type DomainEvent } from '@herald/core';
import { afterEach, describe, expect, it } from 'vitest';
import { watchWire } from '../../../tooling/test-support/wire-watch.js';
import { brokerProxy, BusFactory, event, proxyUrl, type TcpProxy, until } from './helpers.js';

const buses = new BusFactory();
const proxies: TcpProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
  await buses.cleanup();
});

describe('maxPublishesInFlight', () => {
  it('makes publish wait while that many publishes await their confirm, within publishTimeoutMs', async () => {
    // Given a connected bus allowing 2 unconfirmed publishes, behind a proxy that then swallows everything
    const proxy = brokerProxy();
    await proxy.start();
    proxies.push(proxy);
    const bus = buses.create('window', { url: proxyUrl(proxy), maxPublishesInFlight: 2, publishTimeoutMs: 600 });
    await bus.connect();
    await bus.publish(event('win.warmup')); // the publish channel is open
    proxy.blackhole();
    const marker = 'W1ND0W-MARK';
    const wire = watchWire(proxy, marker, 3);
    const start = (seq: number) => wire.track(bus.publish(event('win.e', { marker, seq })));

    // When 2 publishes are on the wire and 3 more are started without awaiting
    const first = [start(0), start(1)];
    await until(() => wire.state.sent === 2, 'the first two publishes on the wire');
    const more = [start(2), start(3), start(4)];

    // Then none of the 3 is written before one of the first two settled, and all settle with PublishError
    const results = await Promise.all([...first, ...more]);
    expect(wire.state.settledWhenNthSent ?? wire.state.settled).toBeGreaterThanOrEqual(1);
    // (Whether a waiting publish times out while still waiting, with a message naming
    // maxPublishesInFlight, or just after it got its slot, depends on timing: not asserted.)
    for (const r of results) expect(isHeraldError(r, 'PUBLISH'), String(r)).toBe(true);
  });

  it('publishes everything when many more than maxPublishesInFlight are started at once', async () => {
    // Given a window of 5 and a subscriber
    const bus = buses.create('window-ok', { maxPublishesInFlight: 5 });
    const got = new Set<number>();
    await bus.subscribe('wok.e', (e) => {
      got.add((e as DomainEvent<{ seq: number }>).data.seq);
    });

    // When 300 publishes are started without awaiting each
    await Promise.all(Array.from({ length: 300 }, (_, seq) => bus.publish(event('wok.e', { seq }))));

    // Then all arrive
    await until(() => got.size === 300, 'all 300 events');
  });
});
