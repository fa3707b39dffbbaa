import { Deque, type Redactor } from '@herald/core';
import type { Redis } from 'ioredis';
import type { ManagedConnection } from './managed-connection.js';

/** Why a bounded command failed; the caller turns it into its own error (PublishError, …). */
export type CommandFailure = 'unavailable' | 'timeout' | 'lost' | 'rejected';

type MapError = (error: Error, failure: CommandFailure) => Error;

interface Entry {
  deadline: number;
  sent: boolean;
  settled: boolean;
  resolve: (value: never) => void;
  reject: (error: Error) => void;
  mapError: MapError;
}

/**
 * The bus's ordinary (non-subscriber) connection: publishes and dead-letter
 * commands. Every command settles within `timeoutMs` — waiting for the
 * connection counts — and is never sent late: one that timed out while the
 * connection was down is dropped, not queued. A command whose connection drops
 * before Redis replied is rejected at once as 'lost' (Redis may or may not
 * have executed it) instead of being resent, since a resent PUBLISH could be
 * delivered twice.
 */
export class CommandConnection {
  private readonly entries = new Deque<Entry>();
  private timer: NodeJS.Timeout | undefined;
  private pending = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly connection: ManagedConnection,
    private readonly timeoutMs: number,
    private readonly redactor: Redactor,
  ) {
    connection.client.on('close', () => this.failSent());
  }

  get client(): Redis {
    return this.connection.client;
  }

  /** Runs `command` once the connection is ready; settles within the bound. */
  run<T>(command: (client: Redis) => Promise<T>, mapError: MapError): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        deadline: performance.now() + this.timeoutMs,
        sent: false,
        settled: false,
        resolve: resolve as (value: never) => void,
        reject,
        mapError,
      };
      this.pending++;
      this.entries.push(entry);
      if (this.timer === undefined) this.arm();
      if (this.connection.isReady) {
        this.send(entry, command);
        return;
      }
      this.connection.whenReady(this.timeoutMs).then(
        () => this.send(entry, command),
        (error: Error) => this.fail(entry, error, (error as { reason?: string }).reason === 'timeout' ? 'timeout' : 'unavailable'),
      );
    });
  }

  /** Resolves when no command is pending. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private send<T>(entry: Entry, command: (client: Redis) => Promise<T>): void {
    if (entry.settled) return; // timed out while waiting for the connection: never sent late
    entry.sent = true;
    let reply: Promise<T>;
    try {
      reply = command(this.connection.client);
    } catch (error) {
      this.fail(entry, error as Error, 'rejected');
      return;
    }
    reply.then(
      (value) => this.succeed(entry, value),
      (error: Error) => this.fail(entry, error, 'rejected'),
    );
  }

  private succeed(entry: Entry, value: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    (entry.resolve as (v: unknown) => void)(value);
    this.settledOne();
  }

  private fail(entry: Entry, thrown: Error, failure: CommandFailure): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.reject(entry.mapError(this.redactor.error(thrown), failure));
    this.settledOne();
  }

  private settledOne(): void {
    this.pending--;
    // Replies come in order, so settled entries are almost always at the head.
    while (this.entries.length > 0 && this.peekSettled()) this.entries.shift();
    if (this.pending === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private peekSettled(): boolean {
    const head = this.entries.shift();
    if (head === undefined) return false;
    if (head.settled) return true;
    this.entries.unshift(head);
    return false;
  }

  /** One timer for all entries: they expire in the order they were added. */
  private arm(): void {
    const head = this.firstUnsettled();
    if (head === undefined) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => this.expire(), Math.max(0, head.deadline - performance.now()) + 1);
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    for (;;) {
      const head = this.firstUnsettled();
      if (head === undefined || head.deadline > now) break;
      const what = head.sent ? 'Redis did not reply' : 'the connection was not ready';
      this.fail(head, new Error(`${what} within ${this.timeoutMs} ms`), 'timeout');
    }
    this.arm();
  }

  private firstUnsettled(): Entry | undefined {
    while (this.entries.length > 0) {
      const head = this.entries.shift()!;
      if (!head.settled) {
        this.entries.unshift(head);
        return head;
      }
    }
    return undefined;
  }

  /** The connection dropped: whatever was sent and not answered will never be (no resend). */
  private failSent(): void {
    const lost = new Error('the connection to Redis was lost before it replied');
    const snapshot = this.entries.drain();
    for (const entry of snapshot) {
      if (!entry.settled && entry.sent) this.fail(entry, lost, 'lost');
    }
    for (const entry of snapshot) if (!entry.settled) this.entries.push(entry);
  }
}
