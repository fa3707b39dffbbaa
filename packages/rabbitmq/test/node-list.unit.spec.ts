import { ValidationError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { NodeList } from '../src/node-list.js';
import { resolveOptions } from '../src/options.js';
import { queueMismatch } from '../src/queue-arguments.js';

describe('cluster nodes', () => {
  it('resolves urls into one endpoint per node, with every password kept out of the display form', () => {
    // Given three node URLs with different passwords
    const { endpoints } = resolveOptions({
      urls: ['amqp://u:pw1@n1:5681/%2f', 'amqp://u:pw2@n2:5682/%2f', 'amqps://u:pw3@n3/prod'],
    });

    // Then each is an endpoint in order, and each password is a secret
    expect(endpoints.map((e) => e.display)).toEqual(['amqp://n1:5681/%2F', 'amqp://n2:5682/%2F', 'amqps://n3:5671/prod']);
    expect(endpoints.flatMap((e) => e.secrets)).toEqual(['pw1', 'pw2', 'pw3']);
  });

  it('rejects an empty or bad node list and more than one way of naming nodes', () => {
    expect(() => resolveOptions({ urls: [] })).toThrow(ValidationError);
    expect(() => resolveOptions({ urls: ['amqp://n1', 'http://n2'] })).toThrow(/urls\[1\]/);
    expect(() => resolveOptions({ url: 'amqp://n1', urls: ['amqp://n2'] })).toThrow(/either/);
    expect(() => resolveOptions({ connection: [{ hostname: 'a' }, { hostname: '' }] })).toThrow(/connection\[1\]\.hostname/);
  });

  it('tries nodes in order first, then starts after the node last used', () => {
    // Given three nodes
    const nodes = new NodeList(resolveOptions({ urls: ['amqp://a', 'amqp://b', 'amqp://c'] }).endpoints);
    const hosts = () => nodes.rotation().map((e) => e.connect.hostname);

    // Then the first round is a, b, c; after b was used, c, a, b (b, just lost, last)
    expect(hosts()).toEqual(['a', 'b', 'c']);
    nodes.used(nodes.endpoints[1]!);
    expect(hosts()).toEqual(['c', 'a', 'b']);
    expect(nodes.describe()).toBe('one of amqp://a:5672/%2F, amqp://b:5672/%2F, amqp://c:5672/%2F');
  });

  it("reads RabbitMQ's PRECONDITION_FAILED into the queue and both settings", () => {
    const quoted = queueMismatch(
      new Error(
        `Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'app.billing' in vhost '/': received 'quorum' but current is 'classic'"`,
      ),
    );
    expect(quoted).toMatchObject({ queue: 'app.billing', argument: 'x-queue-type', existing: 'classic', declared: 'quorum' });
    const unset = queueMismatch(
      new Error(
        `PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'app.dead-letters' in vhost '/': received none but current is the value 'quorum' of type 'longstr'"`,
      ),
    );
    expect(unset).toMatchObject({ existing: 'quorum', declared: 'classic (unset)' });
    expect(queueMismatch(new Error('NOT_FOUND - no queue'))).toBeUndefined();
  });
});
