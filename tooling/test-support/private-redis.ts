import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './wait.js';

/**
 * A redis-server of a test's own, on a port of its own, so a test may stop
 * and restart it without touching the shared server on 6379. No persistence:
 * a restart loses every key, the harshest case for a client. The process is
 * this test's child; `stop()` ends it (and nothing else).
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private dir: string | undefined;

  constructor(readonly port: number, private readonly extraArgs: string[] = []) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.child) return;
    if (await answers(this.port)) throw new Error(`port ${this.port} is already in use; a private Redis needs a free port`);
    this.dir ??= await mkdtemp(join(tmpdir(), `herald-redis-${this.port}-`));
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, ...this.extraArgs],
      { stdio: 'ignore' },
    );
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    await until(() => answers(this.port), `the private Redis on ${this.port} to answer PING`, 10_000);
  }

  /** Ends the server process (SIGKILL: connections drop as in a crash) and waits until the port is free. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
    await until(async () => !(await answers(this.port)), `the private Redis on ${this.port} to stop`, 10_000);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the server and removes its data folder. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** True when something on `port` answers a RESP PING with PONG. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
