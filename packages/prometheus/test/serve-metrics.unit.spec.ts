import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusEventTracker, serveMetrics, type MetricsServer } from '../src/index.js';
import { makeEvent } from './helpers.js';

describe('serveMetrics', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the registry at /metrics in the Prometheus text format', async () => {
    // Given a tracker with one event and a server on a free local port
    const registry = new Registry();
    const tracker = new PrometheusEventTracker({ registry });
    await tracker.track(makeEvent('served.event'));
    server = await serveMetrics({ registry, port: 0, host: '127.0.0.1' });

    // When Prometheus scrapes it
    const res = await fetch(server.url);

    // Then it gets the metrics with the registry's content type
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(registry.contentType);
    expect(await res.text()).toContain('events_handled_total{type="served.event",status="success"} 1');
  });

  it('answers 404 elsewhere, 405 to other methods, and serves a custom path with a query string', async () => {
    const registry = new Registry();
    server = await serveMetrics({ registry, port: 0, host: '127.0.0.1', path: '/internal/metrics' });
    const base = `http://127.0.0.1:${server.port}`;

    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const post = await fetch(`${base}/internal/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/internal/metrics?name[]=x`)).status).toBe(200);
  });

  it('answers 500 without details when collection fails', async () => {
    // Given a registry whose collection throws
    const registry = new Registry();
    registry.metrics = () => Promise.reject(new Error('secret internal detail'));
    server = await serveMetrics({ registry, port: 0, host: '127.0.0.1' });

    // When scraped
    const res = await fetch(server.url);

    // Then the error stays private
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('secret');
  });

  it('rejects when the port is taken, and close() is idempotent', async () => {
    server = await serveMetrics({ registry: new Registry(), port: 0, host: '127.0.0.1' });
    await expect(serveMetrics({ registry: new Registry(), port: server.port, host: '127.0.0.1' })).rejects.toThrow(/EADDRINUSE/);
    await server.close();
    await server.close();
    await expect(fetch(server.url)).rejects.toThrow();
    server = undefined;
  });
});
