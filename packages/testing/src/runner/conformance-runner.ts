import { ValidationError } from '@herald/core';

/** A hook or test body as a runner calls it; whatever it passes (vitest's or node:test's context) is optional. */
export type RunnerBody = (context?: unknown) => Promise<void> | void;

/** `it`/`test` of a runner: `it(name, body, timeoutMs)`, and `it.skip(name, body)` for a case reported as skipped. */
export interface RunnerTest {
  (name: string, body: RunnerBody, timeoutMs?: number): unknown;
  skip(name: string, body: RunnerBody): unknown;
}

/** A hook of a runner: `beforeAll(fn, timeoutMs)` and the like. */
export type RunnerHook = (hook: () => Promise<void> | void, timeoutMs?: number) => unknown;

/**
 * The test functions a conformance suite registers its cases with: vitest's (or
 * jest's, same shapes) as they are (`{ describe, it, beforeAll, afterAll, beforeEach, afterEach }`),
 * node:test's through `nodeTestRunner(nodeTest)`.
 *
 * A case that finds out while running that it cannot run here (the bus lacks a
 * capability) calls `skip(reason)` on the context the runner passed to the test
 * (vitest's and node:test's have one), so the runner reports it as skipped; on a
 * runner without one, the case ends there and is reported as passed.
 */
export interface ConformanceRunner {
  describe(name: string, body: () => void): unknown;
  it: RunnerTest;
  beforeAll: RunnerHook;
  afterAll: RunnerHook;
  beforeEach: RunnerHook;
  afterEach: RunnerHook;
}

const FUNCTIONS = ['describe', 'it', 'beforeAll', 'afterAll', 'beforeEach', 'afterEach'] as const;

/**
 * Checks that `runner` has every test function a suite needs, so a call in the
 * old form (`describeEventBusConformance(options)`) fails with a message saying
 * how to call it now instead of registering nothing.
 */
export function assertRunner(suite: string, runner: unknown): asserts runner is ConformanceRunner {
  const candidate = runner as Partial<Record<string, unknown>> | undefined;
  const missing = FUNCTIONS.filter((name) => typeof candidate?.[name] !== 'function');
  if (typeof (candidate?.it as { skip?: unknown } | undefined)?.skip !== 'function') missing.push('it.skip' as never);
  if (missing.length > 0) {
    throw new ValidationError(
      'runner',
      `${suite} takes the test functions first: ${suite}({ describe, it, beforeAll, afterAll, beforeEach, afterEach }, options) ` +
        `(or ${suite}(nodeTestRunner(nodeTest), options) on node:test); missing: ${missing.join(', ')}`,
    );
  }
}
