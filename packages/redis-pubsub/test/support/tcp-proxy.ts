import net from 'node:net';

/**
 * A TCP proxy in front of Redis that a test controls: it can refuse new
 * connections (stop), drop every open one (dropAll), or accept and forward
 * nothing (blackhole) — faults for this test's connections only, without
 * touching the shared Redis other tests use.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private blackholed = false;
  port = 0;

  constructor(
    private readonly targetPort = 6379,
    private readonly targetHost = '127.0.0.1',
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Stops accepting and drops every connection: Redis looks unreachable. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  dropAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** From now on bytes are swallowed in both directions: Redis looks hung. */
  blackhole(on = true): void {
    this.blackholed = on;
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, this.targetHost);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('data', (d) => {
      if (!this.blackholed) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!this.blackholed) client.write(d);
    });
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  }
}
