import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register as globalRegistry, type Registry } from 'prom-client';

export interface ServeMetricsOptions {
  /** Default: prom-client's global `register`. */
  registry?: Registry;
  /** Default 9464; 0 picks a free port (see `MetricsServer.port`). */
  port?: number;
  /** Default `0.0.0.0` (all interfaces, so Prometheus can reach it); `127.0.0.1` for local only. */
  host?: string;
  /** Default `/metrics`. */
  path?: string;
}

export interface MetricsServer {
  readonly server: Server;
  readonly port: number;
  /** e.g. `http://127.0.0.1:9464/metrics` */
  readonly url: string;
  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves the registry in the Prometheus text format on node:http, for services without a
 * web framework. Resolves once listening; rejects when the port cannot be bound.
 */
export function serveMetrics(options: ServeMetricsOptions = {}): Promise<MetricsServer> {
  const registry = options.registry ?? globalRegistry;
  const path = options.path ?? '/metrics';
  const host = options.host ?? '0.0.0.0';
  const server = createServer((req, res) => {
    void respond(registry, path, req, res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> => {
        if (closing === undefined) {
          closing = new Promise<void>((done) => server.close(() => done()));
          server.closeAllConnections();
        }
        return closing;
      };
      resolve({ server, port, url: `http://${shownHost}:${port}${path}`, close });
    });
  });
}

async function respond(registry: Registry, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const requested = url.split('?', 1)[0];
  if (requested !== path) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  try {
    const body = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    // Collection errors stay out of the response: they may carry internal details.
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
  }
}
