import type { ResolvedEndpoint } from './options.js';

/**
 * The broker nodes a connection may use, and which to try next. The first
 * connection tries them in the order given; after a node is lost, the next
 * round starts with the node after it, so a stopped node is tried last rather
 * than first. Endpoints are only ever shown by their password-free `display`.
 */
export class NodeList {
  private lastUsed = -1;

  constructor(readonly endpoints: readonly ResolvedEndpoint[]) {
    if (endpoints.length === 0) throw new Error('NodeList needs at least one endpoint');
  }

  /** Every node once, beginning after the one last connected to (the first node when none was). */
  rotation(): ResolvedEndpoint[] {
    const n = this.endpoints.length;
    const start = (this.lastUsed + 1) % n;
    return Array.from({ length: n }, (_, i) => this.endpoints[(start + i) % n]!);
  }

  /** Records the node a connection was opened to, so the next rotation starts after it. */
  used(endpoint: ResolvedEndpoint): void {
    this.lastUsed = this.endpoints.indexOf(endpoint);
  }

  /** `amqp://a:5672/%2F` or `one of amqp://a:5672/%2F, amqp://b:5672/%2F` — safe to log. */
  describe(): string {
    if (this.endpoints.length === 1) return this.endpoints[0]!.display;
    return `one of ${this.endpoints.map((e) => e.display).join(', ')}`;
  }
}
