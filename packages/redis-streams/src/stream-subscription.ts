import { setMaxListeners } from 'node:events';
import {
  eventLogFields,
  HeraldError,
  sleep,
  toError,
  type BaseEvent,
  type DeadLetterRecord,
  type Logger,
  type Subscription,
} from '@herald/core';
import {
  createDeadLetterRecord,
  exponentialBackoff,
  HandlerSlots,
  unsubscribeDeadline,
  type HandlerDeadline,
  type AttemptOutcome,
  type DispatchPipeline,
  type DispatchTarget,
} from '@herald/core/transport';
import type { RedisClient } from '@herald/redis-common';
import { HeldEntries } from './held-entries.js';
import type { Link } from './link.js';

/** The field of a stream entry that holds the encoded event. */
export const EVENT_FIELD = 'e';
/** Set on a replayed dead letter: only this consumer group handles the entry; the others acknowledge it unseen. */
export const TARGET_FIELD = 'to';

const NO_FIELDS: string[] = [];

/** Waits after failed reads in a row: 100 ms doubling to 1 s. */
const READ_RETRY_BACKOFF = { initialMs: 100, maxMs: 1_000 };

/**
 * An entry was delivered more often than its subscription allows attempts without ever being
 * settled: it is dead-lettered with this error (code `REDELIVERY_LIMIT`) without calling the handler.
 */
export class RedeliveryLimitError extends HeraldError {
  constructor(readonly deliveries: number, maxAttempts: number) {
    super(
      'REDELIVERY_LIMIT',
      `delivered ${deliveries} times (maxAttempts ${maxAttempts}) without being settled: its consumers died or lost their connection while handling it`,
    );
    this.name = 'RedeliveryLimitError';
  }
}

/**
 * What one reader holds. Each reader (one per partition on a Cluster, one in all on a single Redis) has its
 * own bound, as a hand-written consumer reading each stream with its own COUNT has: a shared bound made a
 * reader blocked on a quiet partition, or waiting for its batch, hold back the busy ones.
 */
interface ReaderSlots {
  /** Entries it read (or claimed from its streams) still held: unsettled, or settled and waiting for XACK. */
  held: number;
  /** Of `held`, those settled and waiting for their XACK: they keep only their id and no read slot. */
  acking: number;
  /**
   * A takeover (XAUTOCLAIM) of its streams is due. The reader runs it between two reads, never during
   * one: a read in flight may still bring all the room it asked for, so a claim then would overshoot.
   */
  claimDue: boolean;
}

interface Entry {
  stream: string;
  id: string;
  fields: string[];
  /** Deliveries so far, this one included (Redis's delivery counter). */
  deliveries: number;
  /** Settled and queued for XACK: held (and kept alive) until Redis confirmed it, but no longer using a read slot. */
  acking?: boolean;
  /** The reader whose bound it counts against. */
  slots: ReaderSlots;
}

export interface StreamSubscriptionOptions {
  pipeline: DispatchPipeline;
  target: DispatchTarget;
  /** The Redis consumer group. */
  group: string;
  /** This subscription's consumer name within the group. */
  consumer: string;
  /** True for an ungrouped subscription: its group is its own and is removed when it stops. */
  ownGroup: boolean;
  streams: readonly string[];
  /** Non-blocking commands: XGROUP, XACK, XAUTOCLAIM, XCLAIM, XPENDING. */
  commands: Link;
  /**
   * Blocking readers and the streams each reads (all on one standalone connection; one per partition on a
   * Cluster). Each holds at most `concurrency + readAhead` entries read and not settled.
   */
  readers: ReadonlyArray<{ link: Link; streams: readonly string[] }>;
  claimIdleMs: number;
  blockMs: number;
  readAhead: number;
  timeoutMs: number;
  closeTimeoutMs: number;
  /** Stores a dead letter; resolves true when it is stored (the entry may then be acknowledged). */
  deadLetter: (record: DeadLetterRecord) => Promise<boolean>;
  logger: Logger;
}

type StreamReply = Array<[string, Array<[string, string[] | null]>]> | null;

/**
 * One subscription on the streams: reads its consumer group with XREADGROUP,
 * hands entries to core's DispatchPipeline (retries wait in process while the
 * entry stays pending), acknowledges (XACK) only once the handler settled,
 * keeps its held entries fresh (XCLAIM JUSTID) so no live member's work is
 * taken over, and takes over entries other members left idle past
 * `claimIdleMs` (XAUTOCLAIM).
 */
export class StreamSubscription {
  readonly subscription: Subscription;
  private readonly o: StreamSubscriptionOptions;
  /** Entries read and not yet acknowledged (pending in Redis until XACK is confirmed). */
  private readonly held = new HeldEntries<Entry>();
  /** Each reader's bound, in the order of `options.readers`. */
  private readonly readerSlots: ReaderSlots[];
  private readonly queue: Entry[] = [];
  private readonly capacity: number;
  private stopped = false;
  /** Running handlers: their count, their ctx.signal, and the wait for them at stop. */
  private readonly handlers = new HandlerSlots();
  private readonly stopRetries = new AbortController();
  private readonly loops: Array<Promise<void>> = [];
  private spaceWaiters: Array<() => void> = [];
  private timers: NodeJS.Timeout[] = [];
  /** Settled entries waiting for the next XACK batch (one command per stream per turn of the event loop). */
  private toAck: Entry[] = [];
  private flushScheduled = false;
  /** XACK batches under way, so stop() can wait for them. */
  private readonly acking = new Set<Promise<void>>();
  /** Acknowledgements that failed (connection down) and are retried by the heartbeat. */
  private unacked: Entry[] = [];
  private stopping: Promise<void> | undefined;

  constructor(options: StreamSubscriptionOptions) {
    this.o = options;
    this.subscription = options.target.subscription;
    // Held entries: the running handlers plus readAhead waiting for a slot (one read fills it).
    this.capacity = options.readAhead + this.subscription.concurrency;
    this.readerSlots = options.readers.map(() => ({ held: 0, acking: 0, claimDue: false }));
    setMaxListeners(0, this.handlers.abort.signal, this.stopRetries.signal);
  }

  /** Creates the consumer group on every stream (at `$`: it sees what is published from now on). */
  async start(): Promise<void> {
    await Promise.all(this.o.streams.map((s) => this.createGroup(s, '$')));
    for (let i = 0; i < this.o.readers.length; i++) {
      const { link, streams } = this.o.readers[i]!;
      this.loops.push(this.readLoop(link, streams, this.readerSlots[i]!));
    }
    const heartbeat = Math.max(20, Math.floor(this.o.claimIdleMs / 3));
    this.timers.push(setInterval(() => void this.heartbeat(), heartbeat));
    this.timers.push(setInterval(() => this.claimsDue(), Math.max(20, Math.floor(this.o.claimIdleMs / 2))));
    for (const t of this.timers) t.unref();
  }

  /**
   * Barrier: no handler runs after it resolves. Reading stops, retry waits are
   * cut short (their entries stay pending for another member), running handlers
   * are waited for by core's rule (`until`: the bus's close deadline, or the
   * whole `closeTimeoutMs` on unsubscribe), then `ctx.signal` aborts. Entries
   * read but never started stay pending too. An ungrouped subscription's group
   * is removed.
   */
  stop(until: HandlerDeadline = unsubscribeDeadline(this.o.closeTimeoutMs)): Promise<void> {
    this.stopping ??= this.shutdown(until);
    return this.stopping;
  }

  private async shutdown(until: HandlerDeadline): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const { link } of this.o.readers) link.abort();
    this.wakeReaders();
    this.queue.length = 0;
    this.stopRetries.abort();
    await this.handlers.stop(until, {
      logger: this.o.logger,
      fields: { transport: 'redis-streams', group: this.o.group, pattern: this.subscription.pattern, subscriptionId: this.subscription.id },
      closeTimeoutMs: this.o.closeTimeoutMs,
    });
    await Promise.allSettled(this.loops);
    await this.flushAcks();
    await Promise.allSettled([...this.acking]);
    await Promise.allSettled(this.o.streams.map((s) => this.leave(s)));
  }

  // ---- reading ----------------------------------------------------------------

  private async readLoop(link: Link, streams: readonly string[], slots: ReaderSlots): Promise<void> {
    const ids = streams.map(() => '>');
    let failures = 0;
    while (!this.stopped) {
      const room = this.room(slots);
      if (slots.claimDue && room > 0 && this.o.commands.isReady) {
        slots.claimDue = false;
        await this.claim(streams, slots);
        continue;
      }
      // A reader reads again once half its capacity is free: a few large reads, not many of one entry.
      if (room <= 0 || room * 2 < this.capacity) {
        await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
        continue;
      }
      let reply: StreamReply;
      try {
        if (!link.isReady) await link.whenReady(this.o.timeoutMs);
        reply = (await link.guard(
          (link.client as RedisClient).xreadgroup(
            'GROUP', this.o.group, this.o.consumer, 'COUNT', room, 'BLOCK', this.o.blockMs, 'STREAMS', ...streams, ...ids,
          ),
        )) as StreamReply;
        failures = 0;
      } catch (error) {
        if (this.stopped) return;
        await this.readFailed(error, streams, ++failures);
        continue;
      }
      if (reply === null) continue;
      for (const [stream, entries] of reply) {
        for (const [id, fields] of entries) this.accept({ stream, id, fields: fields ?? [], deliveries: 1, slots });
      }
    }
  }

  /**
   * Entries a read may ask for now. A slot is used from the read until the handler side is done with the entry;
   * an entry settled and waiting for its XACK frees its slot (the next read overlaps the XACK round trip), yet
   * stays held, kept alive and pending in Redis until the XACK is confirmed. Those waiting for XACK are bounded
   * too (at most `capacity` more, ids only), so a Redis that stops confirming acks also stops the reading.
   */
  private room(slots: ReaderSlots): number {
    return Math.min(this.capacity - (slots.held - slots.acking), 2 * this.capacity - slots.held);
  }

  private async readFailed(thrown: unknown, streams: readonly string[], failures: number): Promise<void> {
    const message = toError(thrown).message;
    if (/NOGROUP/.test(message)) {
      // The stream or group is gone (a Redis restart without persistence, or someone deleted it):
      // recreate it from the start of whatever the stream holds now.
      this.o.logger.warn({ transport: 'redis-streams', group: this.o.group, streams }, 'redis-streams: consumer group missing; recreating it');
      await Promise.allSettled(streams.map((s) => this.createGroup(s, '0')));
      return;
    }
    this.o.logger.debug({ transport: 'redis-streams', group: this.o.group, error: message }, 'redis-streams: read failed; retrying');
    await sleep(exponentialBackoff(READ_RETRY_BACKOFF, failures), this.stopRetries.signal);
  }

  private accept(entry: Entry): void {
    if (this.stopped || !this.held.add(entry)) return;
    entry.slots.held++;
    this.queue.push(entry);
    this.pump();
  }

  private pump(): void {
    while (this.handlers.inFlight < this.subscription.concurrency && this.queue.length > 0 && !this.stopped) {
      const entry = this.queue.shift()!;
      this.handlers.take();
      this.process(entry);
    }
  }

  /** The handler side is done with an entry: its slot frees now; the entry leaves `held` once acknowledged (or now, if it stays pending). */
  private done(entry: Entry): void {
    this.handlers.release();
    if (entry.acking) this.wakeReaders();
    else this.release([entry]);
    this.pump();
  }

  private release(entries: Entry[]): void {
    for (const e of entries) {
      if (!this.held.delete(e)) continue;
      e.slots.held--;
      if (e.acking) e.slots.acking--;
    }
    this.wakeReaders();
  }

  private wakeReaders(): void {
    if (this.spaceWaiters.length === 0) return;
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
  }

  // ---- handling -----------------------------------------------------------------

  /**
   * Settles one entry and then calls done(entry), exactly once, never
   * synchronously (pump is on the stack). Callback-driven through the
   * pipeline's startAttempt: a handled entry costs one promise hop after its
   * handler, not a promise per layer. Never throws.
   */
  private process(entry: Entry): void {
    const { pipeline, target } = this.o;
    const { pattern, group } = this.subscription;
    try {
      const fields = entry.fields;
      // The usual entry is exactly [e, <event>]: no scan.
      const plain = fields.length === 2 && fields[0] === EVENT_FIELD;
      const to = plain ? undefined : fieldOf(fields, TARGET_FIELD);
      if (to !== undefined && to !== this.o.group) {
        this.ackThenDone(entry); // a replay meant for another group
        return;
      }
      const raw = plain ? fields[1]! : (fieldOf(fields, EVENT_FIELD) ?? JSON.stringify(fields));
      const decoded = pipeline.decode(raw, { pattern, group });
      if (decoded.deadLetter) {
        this.doneAfter(entry, this.deadLetterThenAck(entry, decoded.deadLetter));
        return;
      }
      const event = decoded.event;
      // Every type shares the partition streams: what this subscription did not ask for is acknowledged unseen.
      if (!target.matches(event.type)) {
        this.ackThenDone(entry);
        return;
      }
      const max = target.retry.maxAttempts;
      if (entry.deliveries > max) {
        const error = new RedeliveryLimitError(entry.deliveries, max);
        this.o.logger.warn({ ...eventLogFields(event), pattern, group, deliveries: entry.deliveries }, 'redis-streams: redelivery limit reached; dead-lettering');
        const record = createDeadLetterRecord({ event, error, attempts: entry.deliveries - 1, pattern, group });
        this.doneAfter(entry, this.deadLetterThenAck(entry, record));
        return;
      }
      this.attempt(entry, event, entry.deliveries);
    } catch (error) {
      this.unexpected(entry, error);
      queueMicrotask(() => this.done(entry));
    }
  }

  /** One attempt of the handler; what follows is settled(). */
  private attempt(entry: Entry, event: BaseEvent, attempt: number): void {
    this.o.pipeline.startAttempt(this.o.target, event, attempt, this.handlers.abort.signal, (outcome) => this.settled(entry, event, attempt, outcome));
  }

  /** After an attempt: acknowledge, dead-letter, or retry after the backoff (the entry stays pending meanwhile). */
  private settled(entry: Entry, event: BaseEvent, attempt: number, outcome: AttemptOutcome): void {
    try {
      switch (outcome.status) {
        case 'success':
        case 'filtered':
        case 'failed':
          this.ack(entry);
          this.done(entry);
          return;
        case 'dead_letter':
          this.doneAfter(entry, this.deadLetterThenAck(entry, outcome.record));
          return;
        case 'retry':
          void sleep(outcome.delayMs, this.stopRetries.signal).then((slept) => {
            // Stopped during the wait: the entry stays pending; a live member claims it after claimIdleMs.
            if (slept && !this.stopped) this.attempt(entry, event, attempt + 1);
            else this.done(entry);
          });
          return;
      }
    } catch (error) {
      this.unexpected(entry, error);
      this.done(entry);
    }
  }

  private ackThenDone(entry: Entry): void {
    this.ack(entry);
    queueMicrotask(() => this.done(entry));
  }

  private doneAfter(entry: Entry, work: Promise<void>): void {
    work.then(
      () => this.done(entry),
      (error: unknown) => {
        this.unexpected(entry, error);
        this.done(entry);
      },
    );
  }

  /** Not expected (the pipeline never throws): the entry is left pending and claimed again later. */
  private unexpected(entry: Entry, error: unknown): void {
    this.o.logger.error({ transport: 'redis-streams', entryId: entry.id, error: toError(error).message }, 'redis-streams: unexpected failure handling an entry');
  }

  private async deadLetterThenAck(entry: Entry, record: DeadLetterRecord): Promise<void> {
    // Not stored (Redis away): left pending, so it comes back rather than being lost.
    if (await this.o.deadLetter(record)) this.ack(entry);
  }

  /** Queues an XACK; settled entries are acknowledged in batches, one command per stream. */
  private ack(entry: Entry): void {
    if (entry.acking) return;
    entry.acking = true;
    entry.fields = NO_FIELDS; // the payload is not needed any more: an entry waiting for XACK keeps only its id
    if (this.held.has(entry)) entry.slots.acking++;
    this.toAck.push(entry);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flushAcks());
  }

  private async flushAcks(): Promise<void> {
    this.flushScheduled = false;
    if (this.unacked.length > 0) {
      this.toAck.push(...this.unacked);
      this.unacked = [];
    }
    if (this.toAck.length === 0) return;
    const byStream = new Map<string, Entry[]>();
    for (const e of this.toAck) {
      const list = byStream.get(e.stream);
      if (list) list.push(e);
      else byStream.set(e.stream, [e]);
    }
    this.toAck = [];
    const batches = [...byStream].map(async ([stream, entries]) => {
      try {
        await this.o.commands.run((c) => c.xack(stream, this.o.group, ...entries.map((e) => e.id)), this.o.timeoutMs);
        this.release(entries);
      } catch {
        // Connection down: still held (kept alive), retried by the heartbeat.
        this.unacked.push(...entries);
      }
    });
    const all = Promise.all(batches).then(() => undefined);
    this.acking.add(all);
    await all;
    this.acking.delete(all);
  }

  // ---- liveness and takeover -------------------------------------------------------

  /** Resets the idle time of every held entry (XCLAIM … JUSTID does not count as a delivery), and retries failed acks. */
  private async heartbeat(): Promise<void> {
    if (this.stopped || !this.o.commands.isReady) return;
    await this.flushAcks();
    await Promise.allSettled(
      [...this.held.idsByStream()].map(([stream, ids]) =>
        this.o.commands.run((c) => c.xclaim(stream, this.o.group, this.o.consumer, 0, ...ids, 'JUSTID'), this.o.timeoutMs),
      ),
    );
  }

  /** Every `claimIdleMs / 2`: each reader takes over idle entries of its streams before its next read. */
  private claimsDue(): void {
    for (const slots of this.readerSlots) slots.claimDue = true;
    this.wakeReaders();
  }

  /**
   * Takes over entries of a reader's streams idle past claimIdleMs (their consumer died or lost its
   * connection), within that reader's room. Runs in the reader's loop, between reads.
   */
  private async claim(streams: readonly string[], slots: ReaderSlots): Promise<void> {
    for (const stream of streams) {
      const room = this.room(slots);
      if (room <= 0 || this.stopped) return;
      try {
        const reply = (await this.o.commands.run(
          (c) => c.xautoclaim(stream, this.o.group, this.o.consumer, this.o.claimIdleMs, '0-0', 'COUNT', room),
          this.o.timeoutMs,
        )) as [string, Array<[string, string[] | null]>, string[]?];
        const entries = reply[1].filter((e): e is [string, string[]] => Array.isArray(e[1]));
        if (entries.length === 0) continue;
        const counts = await this.o.commands.run(
          (c) => Promise.all(entries.map(([id]) => c.xpending(stream, this.o.group, id, id, 1) as Promise<Array<[string, string, number, number]>>)),
          this.o.timeoutMs,
        );
        this.o.logger.info({ transport: 'redis-streams', group: this.o.group, stream, claimed: entries.length }, 'redis-streams: took over idle entries');
        entries.forEach(([id, fields], i) => {
          this.accept({ stream, id, fields, deliveries: Number(counts[i]?.[0]?.[3] ?? 1), slots });
        });
      } catch (error) {
        if (/NOGROUP/.test(toError(error).message)) await this.createGroup(stream, '0').catch(() => undefined);
      }
    }
  }

  // ---- group lifecycle ---------------------------------------------------------------

  private async createGroup(stream: string, from: '$' | '0'): Promise<void> {
    try {
      await this.o.commands.run((c) => c.xgroup('CREATE', stream, this.o.group, from, 'MKSTREAM'), this.o.timeoutMs);
    } catch (error) {
      if (!/BUSYGROUP/.test(toError(error).message)) throw error;
    }
  }

  /** An ungrouped subscription removes its group; a group member removes itself when it holds nothing pending. */
  private async leave(stream: string): Promise<void> {
    const { commands, group, consumer, timeoutMs } = this.o;
    if (this.o.ownGroup) {
      await commands.run((c) => c.xgroup('DESTROY', stream, group), timeoutMs);
      return;
    }
    const pending = (await commands.run((c) => c.xpending(stream, group, '-', '+', 1, consumer), timeoutMs)) as unknown[];
    if (pending.length === 0) await commands.run((c) => c.xgroup('DELCONSUMER', stream, group, consumer), timeoutMs);
  }
}

/** The value of `name` in a flat [name, value, …] field list. */
function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
