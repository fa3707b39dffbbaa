import { withTimeout, TimeoutError, type BaseEvent, type EventBus, type TransportCapabilities } from '@herald/core';
import { Gate } from '../gate.js';
import { waitUntil } from '../wait-until.js';
import type { EventBusConformanceOptions } from './bus-options.js';
import { testEvent, type Inbox } from './bus-fixtures.js';
import type { CaseContext } from './case-registry.js';

export type Capability = keyof TransportCapabilities;

/**
 * What the bus conformance cases share: the resolved options, the buses and
 * gates of the running case (released and closed after it), capability checks
 * and bounded waits.
 */
export class BusSuite {
  readonly name: string;
  readonly timeoutMs: number;
  readonly scale: number;
  /** Runner timeout of an ordinary case: room for several bounded waits. */
  readonly caseTimeoutMs: number;
  readonly injectRaw: EventBusConformanceOptions['injectRaw'];
  readonly faults: EventBusConformanceOptions['faults'];
  readonly inboxes: NonNullable<EventBusConformanceOptions['inboxes']>;
  private readonly create: EventBusConformanceOptions['create'];
  private readonly overrides: Partial<TransportCapabilities>;
  private buses: EventBus[] = [];
  private gates: Gate[] = [];

  constructor(options: EventBusConformanceOptions) {
    this.name = options.name;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.scale = options.scale ?? 1;
    this.caseTimeoutMs = this.timeoutMs * 3;
    this.injectRaw = options.injectRaw;
    this.faults = options.faults;
    this.inboxes = options.inboxes ?? {};
    this.create = options.create;
    this.overrides = options.capabilities ?? {};
  }

  /** A fresh bus from `create`, closed after the case. */
  async bus(): Promise<EventBus> {
    const bus = await this.create();
    this.buses.push(bus);
    return bus;
  }

  capabilities(bus: EventBus): TransportCapabilities {
    return { ...bus.capabilities, ...this.overrides };
  }

  /** Skips the running case (reported as skipped) unless the bus has every capability. */
  requires(ctx: CaseContext, bus: EventBus, ...needed: Capability[]): void {
    const caps = this.capabilities(bus);
    const missing = needed.filter((c) => !caps[c]);
    if (missing.length > 0) ctx.skip(`${this.name} does not declare ${missing.join(', ')}`);
  }

  /** A latch handlers can wait on; opened after the case whatever happens, so close never waits on it. */
  gate(): Gate {
    const gate = new Gate();
    this.gates.push(gate);
    return gate;
  }

  /** Waits (bounded by the suite's timeout) until `condition` holds. */
  until<T>(condition: () => T | Promise<T>, message: string, timeoutMs = this.timeoutMs): Promise<NonNullable<T>> {
    return waitUntil(condition, { timeoutMs, message });
  }

  /**
   * Publishes a sentinel of `type` and waits until every inbox has it. On an
   * ordered path, whatever was published before it has been dealt with by then,
   * so a case can assert that something did NOT happen without sleeping.
   */
  async sentinel(bus: EventBus, type: string, inboxes: readonly Inbox[]): Promise<BaseEvent> {
    const sentinel = testEvent(type, { sentinel: true });
    await bus.publish(sentinel);
    await this.until(
      () => inboxes.every((inbox) => inbox.has(sentinel.id)),
      `the sentinel ${type} to reach ${inboxes.length === 1 ? 'its subscriber' : `all ${inboxes.length} subscribers`}`,
    );
    return sentinel;
  }

  /** Opens every gate and closes every bus of the case; throws the first close failure. */
  async cleanup(): Promise<void> {
    for (const gate of this.gates) gate.open();
    this.gates = [];
    const buses = this.buses;
    this.buses = [];
    const results = await Promise.allSettled(
      buses.map((bus) =>
        withTimeout(bus.close(), this.timeoutMs, () => new TimeoutError(`bus.close() did not resolve within ${this.timeoutMs} ms`)),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
