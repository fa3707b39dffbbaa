import { createRedactor, ValidationError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { delayBucket, RabbitMQEventBus } from '../src/index.js';
import { resolveOptions } from '../src/options.js';

describe('options', () => {
  it('parses an amqp URL into connection fields without keeping it', () => {
    const endpoint = resolveOptions({ url: 'amqps://app:p%40ss%2Fword@broker.example:5999/prod%2Fa?heartbeat=30&frameMax=8192' }).endpoints[0]!;
    expect(endpoint.connect).toEqual({
      protocol: 'amqps',
      hostname: 'broker.example',
      port: 5999,
      username: 'app',
      password: 'p@ss/word',
      vhost: 'prod/a',
      heartbeat: 30,
      frameMax: 8192,
    });
    expect(endpoint.display).toBe('amqps://broker.example:5999/prod%2Fa');
    expect(endpoint.display).not.toContain('p@ss');
  });

  it('defaults the vhost, port and heartbeat', () => {
    expect(resolveOptions({ url: 'amqp://localhost' }).endpoints[0]!.connect).toEqual({
      protocol: 'amqp',
      hostname: 'localhost',
      port: 5672,
      vhost: '/',
      heartbeat: 10,
    });
    expect(resolveOptions({ url: 'amqp://h/%2f' }).endpoints[0]!.connect.vhost).toBe('/');
    expect(resolveOptions({ connection: { protocol: 'amqps' } }).endpoints[0]!.connect.port).toBe(5671);
  });

  it('rejects a bad URL with ValidationError that does not echo it', () => {
    for (const url of ['http://user:hunter2@host', 'not a url hunter2', 'amqp://user:hunter2@:5672']) {
      let error: unknown;
      try {
        resolveOptions({ url });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('validates the other options', () => {
    expect(() => resolveOptions({})).toThrow(ValidationError);
    expect(() => resolveOptions({ url: 'amqp://h', connection: {} })).toThrow(/either/);
    expect(() => resolveOptions({ url: 'amqp://h', queueType: 'stream' as never })).toThrow(/queueType/);
    expect(() => resolveOptions({ url: 'amqp://h', prefetch: 0 })).toThrow(/prefetch/);
    expect(() => resolveOptions({ url: 'amqp://h', publishTimeoutMs: -1 })).toThrow(/publishTimeoutMs/);
    expect(() => resolveOptions({ url: 'amqp://h', prefix: 'has space' })).toThrow(/prefix/);
    const r = resolveOptions({ url: 'amqp://h', prefix: 'app.' });
    expect(r.exchange).toBe('app.events');
    expect(r.queueType).toBe('classic');
    expect(r.mandatory).toBe(false);
  });

  it('constructs without connecting and declares the capabilities', () => {
    const bus = new RabbitMQEventBus({ url: 'amqp://127.0.0.1:1' });
    expect(bus.capabilities).toEqual({ persistent: true, consumerGroups: true, redelivery: true, ordered: true, deadLetters: true });
    expect(bus.exchange).toBe('herald.events');
  });
});

describe('helpers', () => {
  it('rounds delays to two significant digits', () => {
    expect([0, -5, 0.4, 7, 99, 100, 149, 1_234, 12_345, 65_432].map(delayBucket)).toEqual([0, 0, 1, 7, 99, 100, 150, 1_200, 12_000, 65_000]);
  });

  it("scrubs the endpoint's password, plain and URL-encoded, from errors", () => {
    // Given the secrets of an endpoint given as a URL, fed to core's redactor as the bus does
    const endpoint = resolveOptions({ url: 'amqp://app:p%40ss%20word@broker.example:5672/' }).endpoints[0]!;
    const redactor = createRedactor(endpoint.secrets);
    // When an error holding the password both ways is redacted
    const e = Object.assign(new Error('failed for p@ss word and p%40ss%20word'), { code: 'EX' });
    const scrubbed = redactor.error(e);
    // Then neither form is left, and the code is kept
    expect(scrubbed.message).toBe('failed for *** and ***');
    expect(scrubbed.stack).not.toContain('p@ss');
    expect((scrubbed as Error & { code?: string }).code).toBe('EX');
  });
});

describe('deadLetterRoute', () => {
  it('is optional, and kept as given when valid', () => {
    expect(resolveOptions({ url: 'amqp://h' }).deadLetterRoute).toBeUndefined();
    expect(resolveOptions({ url: 'amqp://h', deadLetterRoute: { exchange: 'ops.dlx' } }).deadLetterRoute).toEqual({ exchange: 'ops.dlx' });
    expect(resolveOptions({ url: 'amqp://h', deadLetterRoute: { exchange: 'ops.dlx', routingKey: 'svc' } }).deadLetterRoute).toEqual({
      exchange: 'ops.dlx',
      routingKey: 'svc',
    });
  });

  it.each([
    [{ exchange: '' }, 'deadLetterRoute.exchange'],
    [{ exchange: 'x'.repeat(256) }, 'deadLetterRoute.exchange'],
    [{ exchange: 'ops.dlx', routingKey: 42 }, 'deadLetterRoute.routingKey'],
    ['ops.dlx', 'deadLetterRoute'],
  ])('%j is a ValidationError naming %s', (route, field) => {
    expect(() => resolveOptions({ url: 'amqp://h', deadLetterRoute: route as never })).toThrow(expect.objectContaining({ field }));
  });
});
