import type { RedisClient } from './redis-source.js';

/** The part of a socket this needs (net.Socket and tls.TLSSocket both have it). */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * Coalesces the commands a client is given within one tick into one socket
 * write. ioredis writes every command to its socket at once, which is a
 * system call per command: most of what a PUBLISH or XADD costs the client.
 * `hold()` before sending corks the socket; what the same tick sends (the
 * microtasks included: the publishes a batch of replies lets through) goes out
 * in one `writev` when the tick's work is done. A command still resolves only
 * when Redis replied, and fails the same way if the connection drops; it
 * leaves at most one tick later.
 *
 * On a Cluster (no socket of its own: a connection per node) it does nothing.
 */
export class TickWrites {
  private held: Corkable | undefined;

  constructor(private readonly client: RedisClient) {}

  /** Corks the client's socket until the end of this tick (once per tick; cheap when already held). */
  hold(): void {
    if (this.held !== undefined) return;
    const socket = (this.client as { stream?: Corkable }).stream;
    if (socket === undefined || typeof socket.cork !== 'function') return;
    socket.cork();
    this.held = socket;
    process.nextTick(this.release);
  }

  private readonly release = (): void => {
    const socket = this.held;
    this.held = undefined;
    socket?.uncork();
  };
}
