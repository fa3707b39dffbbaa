import { createDomainEvent, type DomainEvent, type EventSourcedAggregate } from '@herald/core';
import { ScenarioAssertionError } from './assertion.js';
import {
  comparable,
  comparableExpected,
  describeDifferences,
  sameEvents,
  typeList,
  type ExpectedEvent,
} from './event-comparison.js';

/** A history entry: a full domain event, or just its type and data. */
export type GivenEvent = DomainEvent | { type: string; data?: Record<string, unknown> };

// biome-ignore lint/suspicious/noExplicitAny: error classes take any constructor arguments
export type ErrorClass<E extends Error = Error> = abstract new (...args: any[]) => E;

export interface ScenarioOptions {
  /** Id the aggregate is created with. Default 'scenario-aggregate'. */
  id?: string;
}

export interface ScenarioGiven<A> {
  /** The aggregate's history, applied in order as versions 1..n. */
  given(events: readonly GivenEvent[]): ScenarioWhen<A>;
  /** No history: the aggregate starts fresh. */
  when(act: (aggregate: A) => unknown): ScenarioThen<A>;
}

export interface ScenarioWhen<A> {
  /** The command under test, called on the aggregate rebuilt from the history. May be async. */
  when(act: (aggregate: A) => unknown): ScenarioThen<A>;
}

export interface ScenarioThen<A> {
  /**
   * Expects `when` to raise exactly these events, compared by type and data
   * (ids, timestamps, versions and metadata are ignored). Resolves with the aggregate.
   */
  then(expected: readonly ExpectedEvent[]): Promise<A>;
  /** Expects `when` to throw an instance of `errorClass` (optionally with a matching message). */
  thenThrows(errorClass: ErrorClass, message?: string | RegExp): Promise<A>;
}

/**
 * Given–when–then for event-sourced aggregates:
 *
 * ```ts
 * await scenario((id) => new Account(id))
 *   .given([{ type: 'account.opened', data: { owner: 'ada' } }])
 *   .when((account) => account.deposit(10))
 *   .then([{ type: 'account.deposited', data: { amount: 10 } }]);
 * ```
 */
export function scenario<A extends EventSourcedAggregate<DomainEvent>>(
  create: (id: string) => A,
  options: ScenarioOptions = {},
): ScenarioGiven<A> {
  const id = options.id ?? 'scenario-aggregate';
  const build = (history: readonly GivenEvent[], act: (aggregate: A) => unknown): ScenarioThen<A> =>
    new Scenario(create, id, history, act);
  return {
    given: (history) => ({ when: (act) => build(history, act) }),
    when: (act) => build([], act),
  };
}

class Scenario<A extends EventSourcedAggregate<DomainEvent>> implements ScenarioThen<A> {
  constructor(
    private readonly create: (id: string) => A,
    private readonly id: string,
    private readonly history: readonly GivenEvent[],
    private readonly act: (aggregate: A) => unknown,
  ) {}

  // Named `then` by the given–when–then idiom; a call with a function means the
  // scenario itself was awaited by mistake, which is reported instead of misread.
  // biome-ignore lint/suspicious/noThenProperty: `.then(expected)` is the public given–when–then API
  then(expected: readonly ExpectedEvent[], onAwaited?: (reason: unknown) => unknown): Promise<A> {
    if (typeof expected === 'function') {
      const error = new TypeError(
        'scenario: the scenario was awaited without an expectation; end it with .then([...expected events]) or .thenThrows(ErrorClass)',
      );
      if (typeof onAwaited === 'function') {
        onAwaited(error);
        return Promise.resolve(undefined as unknown as A);
      }
      return Promise.reject(error);
    }
    return this.runThen(expected);
  }

  async thenThrows(errorClass: ErrorClass, message?: string | RegExp): Promise<A> {
    const aggregate = this.arrange();
    let thrown: unknown;
    let threw = false;
    try {
      await this.act(aggregate);
    } catch (error) {
      threw = true;
      thrown = error;
    }
    const wanted = errorClass.name;
    if (!threw) {
      throw new ScenarioAssertionError(
        `scenario: expected when() to throw ${wanted}, but it completed and raised ${typeList(aggregate.changes)}`,
      );
    }
    if (!isInstance(thrown, errorClass)) {
      throw new ScenarioAssertionError(`scenario: expected when() to throw ${wanted}, but it threw ${describe(thrown)}`, {
        cause: thrown,
      });
    }
    const actualMessage = (thrown as Error).message;
    if (message !== undefined && !(typeof message === 'string' ? actualMessage.includes(message) : message.test(actualMessage))) {
      throw new ScenarioAssertionError(
        `scenario: the message of the ${wanted} thrown by when() does not match ${String(message)}: "${actualMessage}"`,
        { actual: actualMessage, expected: message, cause: thrown },
      );
    }
    return aggregate;
  }

  private async runThen(expected: readonly ExpectedEvent[]): Promise<A> {
    const aggregate = this.arrange();
    try {
      await this.act(aggregate);
    } catch (error) {
      throw new Error(`scenario: when() threw ${describe(error)}; expected it to raise ${typeList(expected)}`, {
        cause: error,
      });
    }
    const actual = comparable(aggregate.changes);
    const wanted = comparableExpected(expected, actual);
    if (!sameEvents(actual, wanted)) {
      throw new ScenarioAssertionError(
        `scenario: the events raised by when() differ from the expected ones (type and data):\n${describeDifferences(actual, wanted)}`,
        { actual, expected: wanted },
      );
    }
    return aggregate;
  }

  /** The aggregate rebuilt from the history. */
  private arrange(): A {
    const aggregate = this.create(this.id);
    const events = this.history.map((entry, i) => toHistoryEvent(entry, i + 1, aggregate));
    try {
      aggregate.loadFromHistory(events);
    } catch (error) {
      throw new Error(`scenario: given() history could not be applied: ${describe(error)}`, { cause: error });
    }
    return aggregate;
  }
}

function toHistoryEvent(entry: GivenEvent, version: number, aggregate: EventSourcedAggregate<DomainEvent>): DomainEvent {
  if (isDomainEvent(entry)) return { ...entry, version };
  return createDomainEvent({
    type: entry.type,
    aggregateId: aggregate.id,
    aggregateType: aggregate.aggregateType,
    data: entry.data ?? {},
    version,
    metadata: { source: 'scenario', environment: 'test' },
  });
}

function isDomainEvent(entry: GivenEvent): entry is DomainEvent {
  return 'id' in entry && 'aggregateId' in entry && 'timestamp' in entry;
}

function isInstance(value: unknown, errorClass: ErrorClass): boolean {
  if (value instanceof errorClass) return true;
  // Two installed copies of a package give two classes with one name.
  return value instanceof Error && value.name === errorClass.name;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
