import type { Redactor } from '@herald/core';
import { Deque, InFlight, type PublishWindow } from '@herald/core/transport';
import { TickWrites, type RedisClient } from '@herald/redis-common';
import type { ManagedConnection } from './managed-connection.js';

/** Why a bounded command failed; the caller turns it into its own error (PublishError, …). */
export type CommandFailure = 'unavailable' | 'timeout' | 'lost' | 'rejected';

/** Builds the caller's error; `context` is what the caller passed along with the command (e.g. the event). */
export type MapError<C = undefined> = (error: Error, failure: CommandFailure, context: C) => Error;

type Command<T> = (client: RedisClient) => Promise<T>;

/** How a PUBLISH is sent: `client.publish` on a standalone server, through the route key on a Cluster. */
export type PublishCommand = (client: RedisClient, channel: string, payload: string | Buffer) => Promise<number>;

const plainPublish: PublishCommand = (client, channel, payload) => client.publish(channel, payload);

/** One command from the moment it is asked for until it is settled. */
class Entry {
  sent = false;
  settled = false;
  /** A publish holding a slot of the publish window, given back when it settles. */
  windowed = false;
  constructor(
    readonly deadline: number,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: Error) => void,
    readonly mapError: MapError<unknown>,
    readonly context: unknown,
  ) {}
}

// The global `performance` is an accessor on globalThis in Node: read it once, not per command.
const clock = performance;

/**
 * The bus's ordinary (non-subscriber) connection: publishes and dead-letter
 * commands. Every command settles within `timeoutMs` — waiting for the
 * connection counts — and is never sent late: one that timed out while the
 * connection was down is dropped, not queued. A command whose connection drops
 * before Redis replied is rejected at once as 'lost' (Redis may or may not
 * have executed it) instead of being resent, since a resent PUBLISH could be
 * delivered twice.
 *
 * Publishing is the hot path: a publish on a ready connection costs one entry
 * in a FIFO and the reply's callbacks, no timer of its own. One timer serves
 * every entry (they expire in the order they were added); it is left to run
 * out rather than cleared and set again each time the connection goes idle.
 * The publishes of one tick share one socket write (TickWrites).
 */
export class CommandConnection {
  /** Entries in the order they were added, until dropped once settled. */
  private readonly entries = new Deque<Entry>();
  private timer: NodeJS.Timeout | undefined;
  /** Whether the timer holds the process open (only while something is pending). */
  private timerRefed = false;
  private readonly pending = new InFlight();
  /** The publishes of one tick leave in one socket write. */
  private readonly writes: TickWrites;

  constructor(
    readonly connection: ManagedConnection,
    private readonly timeoutMs: number,
    private readonly redactor: Redactor,
    /** maxPublishesInFlight: `publish` entries hold one slot each until they settle (the caller took it). */
    private readonly window?: PublishWindow,
    private readonly sendPublish: PublishCommand = plainPublish,
  ) {
    connection.client.on('close', () => this.failSent());
    this.writes = new TickWrites(connection.client);
  }

  get client(): RedisClient {
    return this.connection.client;
  }

  /** Runs `command` once the connection is ready; settles within the bound. */
  run<T, C = undefined>(command: Command<T>, mapError: MapError<C>, context?: C, startedAt?: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry = this.add(resolve as (value: unknown) => void, reject, mapError as MapError<unknown>, context, startedAt);
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

  /**
   * `run` of a PUBLISH, without a closure per call when the connection is ready
   * (the common case). `startedAt` (a `performance.now()` reading) is when the
   * publish began, when it waited for a slot first: the wait counts within the bound.
   */
  publish<C>(channel: string, payload: string | Buffer, mapError: MapError<C>, context: C, startedAt?: number): Promise<number> {
    if (!this.connection.isReady) {
      return new Promise<number>((resolve, reject) => {
        const entry = this.add(resolve as (value: unknown) => void, reject, mapError as MapError<unknown>, context, startedAt);
        entry.windowed = this.window !== undefined;
        this.connection.whenReady(this.timeoutMs).then(
          () => this.send(entry, (client) => this.sendPublish(client, channel, payload)),
          (error: Error) => this.fail(entry, error, (error as { reason?: string }).reason === 'timeout' ? 'timeout' : 'unavailable'),
        );
      });
    }
    return new Promise<number>((resolve, reject) => {
      const entry = this.add(resolve as (value: unknown) => void, reject, mapError as MapError<unknown>, context, startedAt);
      entry.windowed = this.window !== undefined;
      entry.sent = true;
      let reply: Promise<number>;
      try {
        this.writes.hold();
        reply = this.sendPublish(this.connection.client, channel, payload);
      } catch (error) {
        this.fail(entry, error as Error, 'rejected');
        return;
      }
      this.await(entry, reply);
    });
  }

  /** Resolves when no command is pending. */
  whenIdle(): Promise<void> {
    return this.pending.whenIdle();
  }

  /** Clears the timer when nothing is pending (after close), rather than leaving it to run out. */
  dispose(): void {
    if (this.pending.size > 0 || this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerRefed = false;
  }

  private add(
    resolve: (value: unknown) => void,
    reject: (error: Error) => void,
    mapError: MapError<unknown>,
    context: unknown,
    startedAt?: number,
  ): Entry {
    const entry = new Entry((startedAt ?? clock.now()) + this.timeoutMs, resolve, reject, mapError, context);
    this.pending.enter();
    this.entries.push(entry);
    if (this.timer === undefined) this.arm();
    else if (!this.timerRefed) {
      this.timer.ref();
      this.timerRefed = true;
    }
    return entry;
  }

  private send<T>(entry: Entry, command: Command<T>): void {
    if (entry.settled) return; // timed out while waiting for the connection: never sent late
    entry.sent = true;
    let reply: Promise<T>;
    try {
      reply = command(this.connection.client);
    } catch (error) {
      this.fail(entry, error as Error, 'rejected');
      return;
    }
    this.await(entry, reply);
  }

  private await(entry: Entry, reply: Promise<unknown>): void {
    reply.then(
      (value) => this.succeed(entry, value),
      (error: Error) => this.fail(entry, error, 'rejected'),
    );
  }

  private succeed(entry: Entry, value: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    if (entry.windowed) this.window!.release();
    entry.resolve(value);
    this.settledOne();
  }

  private fail(entry: Entry, thrown: Error, failure: CommandFailure): void {
    if (entry.settled) return;
    entry.settled = true;
    if (entry.windowed) this.window!.release();
    entry.reject(entry.mapError(this.redactor.error(thrown), failure, entry.context));
    this.settledOne();
  }

  private settledOne(): void {
    const idle = this.pending.leave();
    // Replies come in order, so settled entries are almost always at the head.
    this.dropSettled();
    // Idle: the timer may run out on its own (it finds nothing and stops) but must not hold the process.
    if (idle && this.timerRefed && this.timer !== undefined) {
      this.timer.unref();
      this.timerRefed = false;
    }
  }

  /** Drops settled entries from the head; returns the first unsettled one. */
  private dropSettled(): Entry | undefined {
    const entries = this.entries;
    let first = entries.peek();
    while (first?.settled) {
      entries.shift();
      first = entries.peek();
    }
    return first;
  }

  /** One timer for all entries, due when the first unsettled one expires. */
  private arm(): void {
    const first = this.dropSettled();
    if (first === undefined) {
      this.timer = undefined;
      this.timerRefed = false;
      return;
    }
    this.timer = setTimeout(() => this.expire(), Math.max(0, first.deadline - clock.now()) + 1);
    this.timerRefed = true;
  }

  private expire(): void {
    this.timer = undefined;
    this.timerRefed = false;
    const now = clock.now();
    for (;;) {
      const first = this.dropSettled();
      if (first === undefined || first.deadline > now) break;
      const what = first.sent ? 'Redis did not reply' : 'the connection was not ready';
      this.fail(first, new Error(`${what} within ${this.timeoutMs} ms`), 'timeout');
    }
    this.arm();
  }

  /** The connection dropped: whatever was sent and not answered will never be (no resend). */
  private failSent(): void {
    const lost = new Error('the connection to Redis was lost before it replied');
    for (const entry of this.entries.toArray()) {
      if (!entry.settled && entry.sent) this.fail(entry, lost, 'lost');
    }
  }
}
