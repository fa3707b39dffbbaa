import { UpcastError, ValidationError, toError } from '../errors.js';
import { copyFields } from '../events/copy-fields.js';
import type { BaseEvent, EventMetadata } from '../events/types.js';

/**
 * An event as an upcaster sees it: any event whose `data` / `payload` is still
 * in the old shape, so the fields are loosely typed on purpose.
 */
export type UpcastInput = BaseEvent & { data?: Record<string, unknown>; payload?: Record<string, unknown> } & Record<string, unknown>;

/**
 * One step of a chain: a pure function from schema version n to n + 1. It returns
 * the event in the new shape (a copy; it must not mutate its input). It need not
 * touch `metadata.schemaVersion`: the registry stamps n + 1 on the result.
 */
export type UpcastFn = (event: UpcastInput) => BaseEvent;

/** The schema version an event declares: `metadata.schemaVersion`, 1 when absent. */
export function schemaVersionOf(event: BaseEvent): number {
  const declared = event.metadata?.schemaVersion;
  return declared === undefined ? 1 : declared;
}

/**
 * The upcasters of an application, per event type. Applied by the stores on
 * every read, by the repository (via the store or its own option), by every bus
 * on delivery, and by `loadFromHistory` when an aggregate is given them.
 */
export interface Upcasters {
  /** Adds the step from `fromSchemaVersion` to `fromSchemaVersion + 1` of `type`. Chainable. */
  register(type: string, fromSchemaVersion: number, fn: UpcastFn): Upcasters;
  /** The current schema version of `type`: one past its highest step, 1 without steps. */
  currentSchemaVersion(type: string): number;
  /**
   * The event in its type's current schema: the same object when nothing was to
   * do, otherwise a new one. Throws UpcastError on a gap or a failing step.
   */
  upcast<E extends BaseEvent>(event: E): E;
  /**
   * The event stamped with its type's current schema version when it declares
   * none and the type has upcasters: an event written by current code is in the
   * current shape, and must not be upcast again when it is read back.
   */
  stamp<E extends BaseEvent>(event: E): E;
  /** Whether any step is registered (lets hot paths skip the lookup). */
  readonly size: number;
}

export function createUpcasters(): Upcasters {
  return new UpcasterRegistry();
}

class UpcasterRegistry implements Upcasters {
  /** type → steps indexed by fromSchemaVersion. */
  private readonly chains = new Map<string, Map<number, UpcastFn>>();
  /** type → current schema version, cached at register. */
  private readonly current = new Map<string, number>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  register(type: string, fromSchemaVersion: number, fn: UpcastFn): Upcasters {
    if (typeof type !== 'string' || type.length === 0) throw new ValidationError('type', 'must be a non-empty string');
    if (!Number.isInteger(fromSchemaVersion) || fromSchemaVersion < 1) {
      throw new ValidationError('fromSchemaVersion', 'must be an integer ≥ 1');
    }
    if (typeof fn !== 'function') throw new ValidationError('fn', 'must be a function');
    let chain = this.chains.get(type);
    if (chain === undefined) {
      chain = new Map();
      this.chains.set(type, chain);
    }
    if (chain.has(fromSchemaVersion)) {
      throw new ValidationError('fromSchemaVersion', `"${type}" already has an upcaster from schema version ${fromSchemaVersion}`);
    }
    chain.set(fromSchemaVersion, fn);
    this.count++;
    this.current.set(type, Math.max(this.current.get(type) ?? 1, fromSchemaVersion + 1));
    return this;
  }

  currentSchemaVersion(type: string): number {
    return this.current.get(type) ?? 1;
  }

  upcast<E extends BaseEvent>(event: E): E {
    if (this.count === 0) return event;
    const chain = this.chains.get(event.type);
    if (chain === undefined) return event;
    const target = this.current.get(event.type)!;
    let version = schemaVersionOf(event);
    if (!Number.isInteger(version) || version < 1) {
      throw new UpcastError({
        eventType: event.type,
        eventId: event.id,
        fromSchemaVersion: version,
        toSchemaVersion: target,
        reason: 'metadata.schemaVersion must be an integer ≥ 1',
      });
    }
    let current: BaseEvent = event;
    while (version < target) {
      const step = chain.get(version);
      const problem = { eventType: event.type, eventId: event.id, fromSchemaVersion: version, toSchemaVersion: version + 1 };
      if (step === undefined) throw new UpcastError({ ...problem, reason: 'no upcaster is registered for this step' });
      let next: BaseEvent;
      try {
        next = step(current as UpcastInput);
      } catch (thrown) {
        throw new UpcastError({ ...problem, reason: `the upcaster threw: ${toError(thrown).message}` }, { cause: thrown });
      }
      if (next === null || typeof next !== 'object' || next.metadata === null || typeof next.metadata !== 'object') {
        throw new UpcastError({ ...problem, reason: 'the upcaster did not return an event with metadata' });
      }
      version++;
      // Stamp on a copy of metadata (the step may have returned its input's metadata object),
      // set on the step's own result when it made a new event (it must not have mutated its input).
      const stamped = next === current ? copyFields({} as BaseEvent, next) : next;
      stamped.metadata = copyFields({} as EventMetadata, next.metadata);
      stamped.metadata.schemaVersion = version;
      current = stamped;
    }
    return current as E;
  }

  stamp<E extends BaseEvent>(event: E): E {
    if (this.count === 0 || event.metadata?.schemaVersion !== undefined) return event;
    const target = this.current.get(event.type);
    if (target === undefined) return event;
    const stamped = copyFields({} as E, event);
    stamped.metadata = copyFields({} as EventMetadata, event.metadata);
    stamped.metadata.schemaVersion = target;
    return stamped;
  }
}

/** Upcasts a page of events in place of the array (the events themselves are replaced, not mutated). */
export function upcastAll<E extends BaseEvent>(events: E[], upcasters: Upcasters | undefined): E[] {
  if (upcasters === undefined || upcasters.size === 0) return events;
  for (let i = 0; i < events.length; i++) events[i] = upcasters.upcast(events[i]!);
  return events;
}
