import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/**
 * Stops and starts the shared Redis on 127.0.0.1:6379, the way
 * tooling/scripts/services.sh starts it. Only redis-restart.int.spec.ts uses
 * this: a restart drops every connection on the server, other suites' too.
 */
export async function stopRedis(): Promise<void> {
  const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  await client.connect();
  await client.call('SHUTDOWN', 'NOSAVE').catch(() => undefined); // the connection closes under it
  client.disconnect();
  await waitFor(async () => !(await listening()), 'Redis to stop', 10_000);
}

/** The exact start command of tooling/scripts/services.sh. */
export async function startRedis(): Promise<void> {
  if (await listening()) return;
  await mkdir('/var/lib/redis', { recursive: true });
  await mkdir('/var/log/redis', { recursive: true });
  await run('redis-server', [
    '--daemonize', 'yes',
    '--bind', '127.0.0.1', '-::1',
    '--port', '6379',
    '--save', '',
    '--appendonly', 'no',
    '--dir', '/var/lib/redis',
    '--logfile', '/var/log/redis/ci.log',
  ]);
  await waitFor(ping, 'Redis to answer PING', 30_000);
}

export async function restartRedis(): Promise<void> {
  try {
    await stopRedis();
  } finally {
    await startRedis();
  }
}

function listening(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(6379, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function ping(): Promise<boolean> {
  const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
