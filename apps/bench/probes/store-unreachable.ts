/**
 * Probe (not a benchmark): how long RedisEventStore takes to reject a call when
 * Redis is unreachable, for a refused port and for a server that accepts
 * connections and never answers. `tsx probes/store-unreachable.ts [module]`;
 * `module` defaults to @herald/redis-store (pass another build to compare).
 */
import net from 'node:net';

const from = process.argv[2] ?? '@herald/redis-store';
const { RedisEventStore } = (await import(from)) as typeof import('@herald/redis-store');

async function timeToReject(label: string, port: number): Promise<void> {
  const store = new RedisEventStore({ redis: `redis://127.0.0.1:${port}`, prefix: 'herald-probe:' });
  const started = performance.now();
  const error = await store.getEvents('s').then(() => undefined, (e: unknown) => e as Error);
  const ms = performance.now() - started;
  console.log(`${label}: rejected after ${(ms / 1000).toFixed(1)} s with ${error?.name} (${(error as { code?: string })?.code ?? '-'})`);
  await store.close();
}

// Nothing listens here: the connection is refused.
const refused = net.createServer();
await new Promise<void>((r) => refused.listen(0, '127.0.0.1', () => r()));
const refusedPort = (refused.address() as net.AddressInfo).port;
await new Promise<void>((r) => refused.close(() => r()));
// Accepts, never answers.
const sockets: net.Socket[] = [];
const silent = net.createServer((s) => sockets.push(s));
await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
const silentPort = (silent.address() as net.AddressInfo).port;

await timeToReject('refused', refusedPort);
await timeToReject('never answers', silentPort);
for (const s of sockets) s.destroy();
silent.close();
