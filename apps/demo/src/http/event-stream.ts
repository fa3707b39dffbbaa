import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FlowEvent, FlowFailure, FlowMonitor } from '../infrastructure/flow-monitor.js';

const FLUSH_MS = 200;
const MAX_BATCH = 200;
const MAX_BUFFERED_BYTES = 1 << 20;

/**
 * Server-sent events for the dashboard: the live event flow and failures,
 * batched every 200 ms (a busy bus is thousands of events a second), plus a
 * `tick` message every second built by `tick()`. A client that cannot keep
 * up is dropped rather than buffered without bound.
 */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private events: FlowEvent[] = [];
  private dropped = 0;
  private failures: FlowFailure[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stopListening: () => void;

  constructor(
    private readonly monitor: FlowMonitor,
    private readonly tick: () => Promise<unknown>,
  ) {
    this.stopListening = monitor.on((notice) => {
      if (this.clients.size === 0) return;
      if (notice.kind === 'event') {
        if (this.events.length < MAX_BATCH) this.events.push(notice.event);
        else this.dropped++;
      } else if (this.failures.length < MAX_BATCH) {
        this.failures.push(notice.failure);
      }
    });
    this.timers.push(setInterval(() => this.flush(), FLUSH_MS).unref());
    this.timers.push(setInterval(() => void this.sendTick(), 1000).unref());
    this.timers.push(setInterval(() => this.broadcast(': keep-alive\n\n'), 15_000).unref());
  }

  open(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
    // A dashboard opened after some activity starts with what just happened; the live batches continue it.
    const recent = this.monitor.recent();
    if (recent.events.length > 0) this.write(res, message('flow', { events: recent.events, skipped: 0 }));
    if (recent.failures.length > 0) this.write(res, message('failures', recent.failures));
    void this.sendTick(res);
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.stopListening();
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private flush(): void {
    if (this.events.length > 0 || this.dropped > 0) {
      this.broadcast(message('flow', { events: this.events, skipped: this.dropped }));
      this.events = [];
      this.dropped = 0;
    }
    if (this.failures.length > 0) {
      this.broadcast(message('failures', this.failures));
      this.failures = [];
    }
  }

  private async sendTick(to?: ServerResponse): Promise<void> {
    if (this.clients.size === 0) return;
    try {
      const data = message('tick', await this.tick());
      if (to) this.write(to, data);
      else this.broadcast(data);
    } catch {
      // The next tick tries again.
    }
  }

  private broadcast(data: string): void {
    for (const res of this.clients) this.write(res, data);
  }

  private write(res: ServerResponse, data: string): void {
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      this.clients.delete(res);
      res.destroy();
      return;
    }
    res.write(data);
  }
}

function message(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
