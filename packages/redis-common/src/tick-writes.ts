import type { RedisClient } from './redis-source.js';

/** The part of a socket this needs (net.Socket and tls.TLSSocket both have it). */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/** A client as far as its sockets go: a Redis has one, a Cluster one per node connection. */
interface Sockets {
  stream?: Corkable;
  nodes?: () => Array<{ stream?: Corkable }>;
}

/**
 * Coalesces the commands a client is given within one tick into one socket
 * write. ioredis writes every command to its socket at once, which is a
 * system call per command: most of what a PUBLISH or XADD costs the client.
 * `hold()` before sending corks the socket (on a Cluster, every node
 * connection's); what the same tick sends (the microtasks included: the
 * publishes a batch of replies lets through) goes out in one `writev` when the
 * tick's work is done. A command still resolves only when Redis replied, and
 * fails the same way if the connection drops; it leaves at most one tick later.
 */
export class TickWrites {
  private held: Corkable[] | undefined;

  constructor(private readonly client: RedisClient) {}

  /** Corks the client's sockets until the end of this tick (once per tick; cheap when already held). */
  hold(): void {
    if (this.held !== undefined) return;
    const client = this.client as Sockets;
    const held: Corkable[] = [];
    if (client.stream !== undefined) held.push(client.stream);
    else if (typeof client.nodes === 'function') for (const node of client.nodes()) if (node.stream !== undefined) held.push(node.stream);
    for (const socket of held) socket.cork();
    this.held = held;
    process.nextTick(this.release);
  }

  private readonly release = (): void => {
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) for (const socket of held) socket.uncork();
  };
}
