import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isHeraldError, toError, type Logger } from '@herald/core';
import type { Gamifier } from '../app.js';
import { PlayerCommandRejected } from '../domain/commands.js';
import { EventStream } from './event-stream.js';
import { HttpError, readJsonObject, sendError, sendJson, sendText } from './responses.js';

export interface HttpServerOptions {
  port: number;
  /** Default 127.0.0.1; set 0.0.0.0 to listen on every interface. */
  host?: string;
  logger: Logger;
}

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void> | void;
interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'dashboard.html', type: 'text/html; charset=utf-8' },
  '/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
  '/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
};

/** The Gamifier's JSON API, Prometheus metrics, health, live event stream and dashboard, on node:http. */
export async function startHttpServer(app: Gamifier, options: HttpServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const assets = await loadAssets();
  const stream = new EventStream(app.monitor, async () => ({
    stats: app.monitor.snapshot(),
    leaderboard: app.leaderboard.top(10),
    deadLetters: (await app.bus.deadLetters.list()).length,
  }));

  const routes: Route[] = [
    route('POST', /^\/api\/players\/([^/]+)\/points$/, async (req, res, [id]) => {
      const body = await readJsonObject(req);
      const result = await app.award(id!, body.points as number, body.reason as string, { userId: 'http' });
      sendJson(res, 200, { player: result.state, events: result.events.map(eventRef) });
    }),
    route('POST', /^\/api\/players\/([^/]+)\/redeem$/, async (req, res, [id]) => {
      const body = await readJsonObject(req);
      const result = await app.redeem(id!, body.points as number, body.reward as string, { userId: 'http' });
      sendJson(res, 200, { player: result.state, events: result.events.map(eventRef) });
    }),
    route('GET', /^\/api\/players\/([^/]+)$/, async (_req, res, [id]) => {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(id!)) throw new HttpError(400, 'must be 1–64 letters, digits, "_" or "-"', 'id');
      const view = await app.player(id!);
      if (!view) throw new HttpError(404, `no player "${id}"`, 'id');
      sendJson(res, 200, { player: view.state, rank: app.leaderboard.get(id!)?.rank ?? null, history: view.history });
    }),
    route('GET', /^\/api\/leaderboard$/, (req, res) => {
      const raw = new URL(req.url ?? '/', 'http://x').searchParams.get('limit') ?? '10';
      const limit = Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(400, 'must be an integer from 1 to 100', 'limit');
      sendJson(res, 200, { players: app.leaderboard.size, entries: app.leaderboard.top(limit) });
    }),
    route('GET', /^\/api\/dead-letters$/, async (_req, res) => {
      sendJson(res, 200, { deadLetters: await app.deadLetters(100) });
    }),
    route('POST', /^\/api\/dead-letters\/([^/]+)\/replay$/, async (_req, res, [id]) => {
      const replayed = await app.bus.deadLetters.replay(id!);
      if (replayed === 0 && id !== 'all') throw new HttpError(404, `no replayable dead letter "${id}"`, 'id');
      sendJson(res, 200, { replayed });
    }),
    route('GET', /^\/api\/stats$/, async (_req, res) => {
      sendJson(res, 200, { stats: app.monitor.snapshot(), deadLetters: (await app.bus.deadLetters.list()).length });
    }),
    route('GET', /^\/api\/events\/stream$/, (req, res) => stream.open(req, res)),
    route('GET', /^\/metrics$/, async (_req, res) => {
      const metrics = app.infrastructure.metrics;
      if (!metrics) throw new HttpError(404, 'metrics are off (EVENT_TRACKING_ENABLED=false)');
      sendText(res, 200, await metrics.registry.metrics(), metrics.registry.contentType);
    }),
    route('GET', /^\/health$/, async (_req, res) => {
      const { description } = app.infrastructure;
      sendJson(res, 200, {
        status: 'ok',
        transport: description.transport,
        store: description.store,
        uptimeSeconds: Math.round(process.uptime()),
        relay: { published: app.relay.publishedCount, failures: app.relay.failureCount },
        deadLetters: (await app.bus.deadLetters.list()).length,
      });
    }),
  ];

  const server = createServer((req, res) => {
    void handle(req, res).catch((error) => {
      logger.error({ method: req.method, path: pathOf(req), error: toError(error).message }, 'request failed');
      if (!res.headersSent) sendError(res, new HttpError(500, 'internal error'));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req);
    const asset = STATIC[path];
    if (asset && (req.method === 'GET' || req.method === 'HEAD')) {
      sendText(res, 200, assets.get(asset.file)!, asset.type);
      return;
    }
    const matching = routes.filter((r) => r.pattern.test(path));
    const match = matching.find((r) => r.method === req.method);
    if (!match) {
      if (matching.length > 0) {
        res.setHeader('allow', matching.map((r) => r.method).join(', '));
        sendError(res, new HttpError(405, `use ${matching.map((r) => r.method).join(' or ')}`));
      } else {
        sendError(res, new HttpError(404, `nothing at ${req.method} ${path}`));
      }
      return;
    }
    const params = (match.pattern.exec(path) ?? []).slice(1).map((p) => safeDecode(p));
    try {
      await match.handler(req, res, params);
    } catch (error) {
      const httpError = toHttpError(error);
      if (httpError.status >= 500) {
        logger.error({ method: req.method, path, error: toError(error).message }, 'request failed');
      }
      if (res.headersSent) res.destroy();
      else sendError(res, httpError);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, 'http server listening');
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        stream.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function route(method: string, pattern: RegExp, handler: Handler): Route {
  return { method, pattern, handler };
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://x').pathname;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, 'is not valid percent-encoding', 'id');
  }
}

function eventRef(event: { id: string; type: string; version: number }) {
  return { id: event.id, type: event.type, version: event.version };
}

/** Maps what the app throws to a status and a JSON error naming the field. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof PlayerCommandRejected) {
    const field = error.field === 'playerId' ? 'id' : error.field;
    return new HttpError(error.kind === 'rule' ? 422 : 400, error.reason, field);
  }
  if (isHeraldError(error, 'COMMAND_VALIDATION') || isHeraldError(error, 'VALIDATION')) {
    const field = (error as { field?: string }).field;
    return new HttpError(400, error.message, field);
  }
  if (isHeraldError(error, 'CONCURRENCY')) return new HttpError(409, 'the player changed concurrently; try again');
  return new HttpError(500, 'internal error');
}

async function loadAssets(): Promise<Map<string, string>> {
  const assets = new Map<string, string>();
  for (const { file } of Object.values(STATIC)) {
    assets.set(file, await readFile(new URL(`./public/${file}`, import.meta.url), 'utf8'));
  }
  return assets;
}
