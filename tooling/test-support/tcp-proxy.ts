import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a server (Redis, RabbitMQ) that a test controls: it can
 * refuse new connections (`stop`, then `start` again on the same port), drop every open one
 * (`dropAll`), forward late (`delayMs`), or accept and forward nothing (`blackhole`) — faults for this test's
 * connections only, without touching the server other tests share.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private blackholed = false;
  /** The port the proxy listens on; 0 until the first `start()`, then kept across restarts. */
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  /** `127.0.0.1:<port>`, for a client's URL. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
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

  /** Stops accepting and drops every connection: the server looks unreachable. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Drops every open connection; new ones are still accepted. */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Sees every chunk a client sent that the blackhole swallowed (what the client tried to send). */
  onSwallowed: ((data: Buffer) => void) | undefined;

  /**
   * Delay, in ms, added to every chunk a client sends (order kept): a slow server or link, for
   * code that must hold a deadline whatever the server's speed. 0 (default) forwards at once.
   */
  delayMs = 0;

  /** From now on (until `blackhole(false)`) bytes are swallowed both ways: the server looks hung. */
  blackhole(on = true): void {
    this.blackholed = on;
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, this.targetHost);
    // No Nagle delay on either leg: a client waiting for one small reply (an AMQP 1.0 flow or
    // disposition) would otherwise wait for the delayed ACK, ~40 ms per round trip.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('data', (d: Buffer) => {
      if (this.blackholed) this.onSwallowed?.(d);
      // Timers of one duration fire in the order they were set: chunks stay in order.
      else if (this.delayMs > 0) setTimeout(() => upstream.writable && upstream.write(d), this.delayMs);
      else upstream.write(d);
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
