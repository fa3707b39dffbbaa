import { readFileSync } from 'node:fs';
import { InMemoryEventBus, ValidationError } from '@herald/core';
import { InMemoryEventStore } from '@herald/in-memory-store';
import { describe, expect, it } from 'vitest';
import {
  type ConformanceRunner,
  describeEventBusConformance,
  describeEventSourcingConformance,
  describeEventStoreConformance,
  nodeTestRunner,
  type NodeTestModule,
  type RunnerBody,
} from '../src/index.js';

/** A runner that records what a suite registers, without running it. */
function recordingRunner() {
  const path: string[] = [];
  const tests: Array<{ name: string; body: RunnerBody; timeoutMs?: number; skipped: boolean }> = [];
  const hooks: string[] = [];
  const hook = (kind: string) => () => {
    hooks.push(kind);
  };
  const runner: ConformanceRunner = {
    describe: (name, body) => {
      path.push(name);
      body();
      path.pop();
    },
    it: Object.assign(
      (name: string, body: RunnerBody, timeoutMs?: number) => {
        tests.push({ name: [...path, name].join(' > '), body, timeoutMs, skipped: false });
      },
      {
        skip: (name: string, body: RunnerBody) => {
          tests.push({ name: [...path, name].join(' > '), body, skipped: true });
        },
      },
    ),
    beforeAll: hook('beforeAll'),
    afterAll: hook('afterAll'),
    beforeEach: hook('beforeEach'),
    afterEach: hook('afterEach'),
  };
  return { runner, tests, hooks };
}

const bus = () => new InMemoryEventBus({ wireFormat: true });

describe('conformance suites on a runner passed in', () => {
  it('register every case when no subset is chosen', () => {
    const { runner, tests, hooks } = recordingRunner();
    describeEventBusConformance(runner, { name: 'Bus', create: bus });
    expect(tests.length).toBeGreaterThan(40);
    expect(hooks).toEqual(['beforeAll', 'afterEach', 'afterAll']);
  });

  it("only: ['faults'] registers the fault group and the closing rejection check, nothing else", () => {
    // Given a bus suite with a restart fault and nothing to kill connections with
    const { runner, tests } = recordingRunner();

    // When only the faults group is chosen
    describeEventBusConformance(runner, { name: 'Bus', create: bus, faults: { restartServer: async () => {} }, only: ['faults'] });

    // Then the two fault cases (one skipped, no killConnections) and the closing case are all there is
    expect(tests.map((t) => [t.name, t.skipped])).toEqual([
      ['Bus — event bus conformance > faults > keeps publishing and delivering after its connections are killed', true],
      ['Bus — event bus conformance > faults > keeps publishing and delivering after the server restarts', false],
      ['Bus — event bus conformance > left no unhandled rejection behind in any case', false],
    ]);
  });

  it('only takes case names as well as group names', () => {
    const { runner, tests } = recordingRunner();
    describeEventStoreConformance(runner, {
      name: 'Store',
      create: () => new InMemoryEventStore(),
      only: ['global log', 'appends with 0 on a new stream'],
    });
    expect(tests.map((t) => t.name)).toContain('Store — event store conformance > expected version > appends with 0 on a new stream');
    expect(tests.every((t) => t.name.includes('> global log >') || t.name.endsWith('appends with 0 on a new stream'))).toBe(true);
    expect(tests.length).toBeGreaterThan(2);
  });

  it("the README's table of groups names the groups the suites register", () => {
    // Given the groups each suite registers
    const groupsOf = (register: (runner: ConformanceRunner) => void) => {
      const names: string[] = [];
      const { runner } = recordingRunner();
      register({
        ...runner,
        describe: (name, body) => {
          names.push(name);
          runner.describe(name, body);
        },
      });
      return names.slice(1); // the first is the suite's own block
    };
    const registered = {
      'event bus': groupsOf((r) => describeEventBusConformance(r, { name: 'Bus', create: bus })),
      'event store': groupsOf((r) => describeEventStoreConformance(r, { name: 'Store', create: () => new InMemoryEventStore() })),
      'event sourcing': groupsOf((r) =>
        describeEventSourcingConformance(r, { name: 'ES', create: ({ upcasters }) => new InMemoryEventStore({ upcasters }) }),
      ),
    };

    // Then each row of the README's table lists them, in order
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const [suite, groups] of Object.entries(registered)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| ${suite} |`));
      expect(row, `README row for ${suite}`).toBeDefined();
      expect([...row!.matchAll(/`([^`]+)`/g)].map((m) => m[1])).toEqual(groups);
    }
  });

  it('rejects an only entry that names no case or group, listing the groups', () => {
    const { runner } = recordingRunner();
    const register = () => describeEventStoreConformance(runner, { name: 'Store', create: () => new InMemoryEventStore(), only: ['fualts'] });
    expect(register).toThrow(ValidationError);
    expect(register).toThrow(/no case or group is named "fualts"; the groups are "expected version"/);
  });

  it('rejects an empty only list and one that is not a list', () => {
    const { runner } = recordingRunner();
    const register = (only: unknown) => () =>
      describeEventStoreConformance(runner, { name: 'Store', create: () => new InMemoryEventStore(), only: only as string[] });
    expect(register([])).toThrow(/must name at least one group or case; the groups are "expected version"/);
    expect(register('faults')).toThrow(ValidationError);
    expect(register('faults')).toThrow(/must be an array of group or case names/);
  });

  it('rejects the options-only call of earlier versions with how to call it now', () => {
    const call = () => (describeEventBusConformance as unknown as (options: object) => void)({ name: 'Bus', create: bus });
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(/takes the test functions first: describeEventBusConformance\(\{ describe, it, beforeAll/);
  });

  it('a case that lacks a capability calls skip on the context the runner passed, with the reason', async () => {
    // Given the no-consumer-groups case of a bus that has consumer groups
    const { runner, tests } = recordingRunner();
    const caseName = 'rejects `group` with UnsupportedError when the transport has no consumer groups [no consumerGroups]';
    describeEventBusConformance(runner, { name: 'Bus', create: bus, only: [caseName] });
    const registered = tests.find((t) => t.name.endsWith(caseName))!;

    // When the runner runs it with a context that can skip
    const skips: string[] = [];
    await registered.body({ skip: (reason: string) => skips.push(reason) });

    // Then the case asked to be skipped, saying why
    expect(skips).toEqual(['Bus supports consumer groups']);
  });
});

describe('nodeTestRunner', () => {
  it("maps to node:test's shapes: it(name, { timeout }, fn), skip as an option, before/after with { timeout }", async () => {
    // Given a stand-in for the node:test module that records its calls
    const calls: unknown[][] = [];
    const record =
      (fn: string) =>
      (...args: unknown[]) => {
        calls.push([fn, ...args.map((a) => (typeof a === 'function' ? 'fn' : a))]);
        if (fn === 'describe') (args[1] as () => void)();
      };
    const nodeTest = {
      describe: record('describe'),
      it: record('it'),
      before: record('before'),
      after: record('after'),
      beforeEach: record('beforeEach'),
      afterEach: record('afterEach'),
    } as unknown as NodeTestModule;

    // When the mapped runner registers a suite, a case with a timeout, a skipped case and hooks
    const runner = nodeTestRunner(nodeTest);
    runner.describe('suite', () => {
      runner.beforeAll(() => {}, 1_000);
      runner.afterEach(() => {});
      runner.it('case', async () => {}, 5_000);
      runner.it.skip('skipped', () => {});
    });

    // Then node:test got its own shapes
    expect(calls).toEqual([
      ['describe', 'suite', 'fn'],
      ['before', 'fn', { timeout: 1_000 }],
      ['afterEach', 'fn', undefined],
      ['it', 'case', { timeout: 5_000 }, 'fn'],
      ['it', 'skipped', { skip: true }, 'fn'],
    ]);
  });
});
