import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Gamifier } from './app.js';
import { createProgress, createRebuildProgress } from './cli/progress.js';
import { formatSummary } from './cli/summary.js';
import { loadDemoConfig } from './infrastructure/config.js';
import { createLogger } from './infrastructure/logger.js';
import { startHttpServer } from './http/server.js';
import { seededRandom } from './random.js';
import { runSeason } from './season.js';

const USAGE = `usage: pnpm demo [--serve] [--players N] [--commands N] [--rate N] [--seed N] [--keep]

  (no flag)   run a scripted season, print its summary, exit 0 when it adds up
  --serve     keep the HTTP API and dashboard up on PORT (default 3000)
  --players   players in the season (default 300)
  --commands  scripted commands (default 3000)
  --rate      commands started per second, 0 for as fast as possible (default 1000)
  --seed      seed of the season's random choices (default 2024)
  --keep      keep the season's events in Redis (EVENT_STORE=redis) instead of deleting them

Transport and store come from the environment: see apps/demo/.env.example.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean', default: false },
      players: { type: 'string', default: '300' },
      commands: { type: 'string', default: '3000' },
      rate: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '2024' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  return values.serve ? serve() : season(values);
}

async function serve(): Promise<number> {
  const config = loadDemoConfig(process.env, { logLevel: 'info' });
  const logger = createLogger(config.logLevel);
  const app = await Gamifier.start({ config, logger, durableSubscriptions: true });
  const server = await startHttpServer(app, { port: config.port, host: config.host, logger });
  process.stderr.write(
    `Gamifier on ${app.infrastructure.description.transport}/${app.infrastructure.description.store}: dashboard at http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${server.port}/ (Ctrl-C stops)\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write('stopping…\n');
  await server.close();
  await app.close();
  return 0;
}

async function season(args: { players?: string; commands?: string; rate?: string; seed?: string; keep?: boolean }): Promise<number> {
  const players = positive(args.players, '--players');
  const commands = positive(args.commands, '--commands');
  const rate = args.rate === '0' ? 0 : positive(args.rate, '--rate');
  const seed = positive(args.seed, '--seed');
  // A season should not spend seconds in backoff: 50 ms retries unless the environment says otherwise.
  const env = { EVENT_RETRY_DELAY: '50', ...process.env };
  const config = loadDemoConfig(env, { logLevel: 'error' });
  const logger = createLogger(config.logLevel);
  // Its own namespace: a fixed one for the bus (no queues left behind per run), a fresh one for the store.
  const app = await Gamifier.start({
    env,
    config,
    logger,
    random: seededRandom(seed + 1),
    busPrefix: `${config.prefix}-season`,
    storePrefix: `${config.prefix}-season:${randomUUID().slice(0, 8)}`,
  });
  try {
    await app.bus.deadLetters.purge(); // left over from an earlier season on a server transport
    const progress = createProgress();
    const rebuild = createRebuildProgress();
    const summary = await runSeason(app, {
      players,
      commands,
      rate,
      seed,
      onProgress: (p) => {
        progress.update(p);
        if (p.phase === 'done') progress.end();
      },
      onRebuildProgress: (p) => rebuild.update(p),
    });
    rebuild.end();
    process.stdout.write(formatSummary(summary));
    return summary.ok ? 0 : 1;
  } finally {
    if (!args.keep) await app.infrastructure.dropStoredEvents();
    await app.close();
  }
}

function positive(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer (got ${JSON.stringify(value)})`);
  return n;
}

class UsageError extends Error {}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string })?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    // name: message; the stack only when asked for (LOG_LEVEL=debug). Messages never carry passwords.
    const e = error instanceof Error ? error : new Error(String(error));
    const detail = process.env.LOG_LEVEL === 'debug' && e.stack ? `\n${e.stack}` : '';
    process.stderr.write(`demo failed: ${e.name === 'Error' ? '' : `${e.name}: `}${e.message}${detail}\n`);
    process.exitCode = 1;
  },
);
