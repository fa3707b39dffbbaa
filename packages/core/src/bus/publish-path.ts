import { BusClosedError } from '../errors.js';
import type { BaseEvent } from '../events/types.js';
import { validateEvents } from '../events/validate-events.js';
import type { DispatchPipeline } from './dispatch-pipeline.js';
import { InFlight } from './in-flight.js';
import { callPublish, publishEach, type PublishFn } from './middleware.js';

/** An event as a networked transport sends it: the codec's text when it has one (no extra copy for a text protocol), else its bytes. */
export type EncodedEvent = string | Buffer;

/**
 * Sends a validated batch in one go. `payloads[i]` is `events[i]` encoded (its
 * schema version stamped when upcasters declare one). Resolves once the
 * server took all of it; rejects with the transport's PublishError.
 */
export type TransmitBatch = (events: readonly BaseEvent[], payloads: readonly EncodedEvent[]) => Promise<void>;

export interface PublishPathOptions {
  /** The bus's pipeline: validation, upcaster stamping and publish middleware come from it. */
  pipeline: DispatchPipeline;
  /** Sends one event that was validated, stamped and went through the publish middleware. */
  transmit: PublishFn;
  /**
   * Sends a batch at once (`publishAll` without publish middleware). Without
   * it, or with publish middleware, each event of a batch goes through the
   * middleware and `transmit` on its own, all at once.
   */
  transmitBatch?: TransmitBatch;
}

/**
 * The publish side of a networked bus, the same on every transport:
 * `publish` validates, stamps, runs the publish middleware and hands the event
 * to the transport's `transmit`; `publishAll` validates (and encodes) the
 * whole batch before anything is sent; both reject with BusClosedError once
 * the bus closes; `close` waits for the publishes under way. The transport
 * owns only the I/O (`transmit`, `transmitBatch`).
 */
export class PublishPath {
  /** Encodes an event for the wire (see EncodedEvent); throws the codec's ValidationError past its size limit. */
  readonly encode: (event: BaseEvent) => EncodedEvent;
  private readonly pipeline: DispatchPipeline;
  /** publish: validation, stamping, middleware, then transmit. */
  private readonly send: PublishFn;
  /** publishAll's path for one event: validated up front; stamping, middleware, then transmit. */
  private readonly sendValidated: PublishFn;
  private readonly transmitBatch: TransmitBatch | undefined;
  private closed = false;
  private readonly underway = new InFlight();

  constructor(options: PublishPathOptions) {
    const { pipeline, transmit } = options;
    this.pipeline = pipeline;
    const codec = pipeline.codec;
    this.encode = typeof codec.encodeText === 'function' ? (e) => codec.encodeText!(e) : (e) => codec.encode(e);
    this.send = pipeline.composePublish(transmit);
    this.sendValidated = pipeline.composePublish(transmit, { validated: true });
    // With publish middleware every event must pass through it on its own.
    this.transmitBatch = pipeline.hasPublishMiddleware ? undefined : options.transmitBatch;
  }

  /** True once `close` was called: publishes reject with BusClosedError. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Validates, stamps, runs the middleware, transmits. Never throws: rejects. */
  publish(event: BaseEvent): Promise<void> {
    return this.closed ? Promise.reject(new BusClosedError()) : this.track(callPublish(this.send, event));
  }

  /**
   * Validates (and, for `transmitBatch`, encodes) the whole batch first:
   * nothing is sent if one event is bad. Then one `transmitBatch`, or each
   * event through the middleware and `transmit`, all at once (rejecting with
   * the first failure once all settled).
   */
  async publishAll(events: BaseEvent[]): Promise<void> {
    const batch = this.transmitBatch;
    if (batch === undefined) {
      validateEvents(events, 'events');
      if (this.closed) throw new BusClosedError();
      if (events.length === 0) return;
      return this.track(publishEach(this.sendValidated, events));
    }
    const payloads: EncodedEvent[] = [];
    const pipeline = this.pipeline;
    // The codec's size limit is part of validation: each event is encoded as it is checked.
    validateEvents(events, 'events', (e, i) => {
      payloads[i] = this.encode(pipeline.stamp(e));
    });
    if (this.closed) throw new BusClosedError();
    if (events.length === 0) return;
    return this.track(batch(events, payloads));
  }

  /**
   * Counts `work` as a publish under way, so `close` waits for it (e.g. a
   * transport's own re-publish of a dead letter). Hands `work` itself back: no
   * extra promise layer per publish.
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.underway.enter();
    work.then(this.untrack, this.untrack);
    return work;
  }

  /** Refuses new publishes from now on; resolves once those under way settled (each is bounded by the transport). */
  close(): Promise<void> {
    this.closed = true;
    return this.underway.whenIdle();
  }

  private readonly untrack = (): void => {
    this.underway.leave();
  };
}
