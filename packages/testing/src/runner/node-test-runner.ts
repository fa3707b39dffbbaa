import type { ConformanceRunner, RunnerBody } from './conformance-runner.js';

type NodeTestOptions = { timeout?: number; skip?: boolean | string };
type NodeHook = (fn: () => unknown, options?: { timeout?: number }) => unknown;

/** The part of the `node:test` module the mapping uses (pass the module itself). */
export interface NodeTestModule {
  describe(name: string, fn: () => void): unknown;
  it(name: string, options: NodeTestOptions, fn: (t: never) => unknown): unknown;
  before: NodeHook;
  after: NodeHook;
  beforeEach: NodeHook;
  afterEach: NodeHook;
}

/**
 * The conformance runner for node:test, whose shapes differ from vitest's:
 * `it(name, { timeout }, fn)`, `before`/`after`. Takes the module, so this package
 * does not load node:test itself:
 *
 * ```ts
 * import * as nodeTest from 'node:test';
 * import { describeEventStoreConformance, nodeTestRunner } from '@herald/testing';
 * describeEventStoreConformance(nodeTestRunner(nodeTest), { name: 'MyStore', create: () => new MyStore() });
 * ```
 */
export function nodeTestRunner(nodeTest: NodeTestModule): ConformanceRunner {
  const hook =
    (register: NodeHook) =>
    (fn: () => Promise<void> | void, timeoutMs?: number): void => {
      register(() => fn(), timeoutMs === undefined ? undefined : { timeout: timeoutMs });
    };
  const it = Object.assign(
    (name: string, body: RunnerBody, timeoutMs?: number): void => {
      nodeTest.it(name, timeoutMs === undefined ? {} : { timeout: timeoutMs }, (t: never) => body(t));
    },
    {
      skip: (name: string, body: RunnerBody): void => {
        nodeTest.it(name, { skip: true }, () => body());
      },
    },
  );
  return {
    describe: (name, body) => {
      nodeTest.describe(name, body);
    },
    it,
    beforeAll: hook(nodeTest.before),
    afterAll: hook(nodeTest.after),
    beforeEach: hook(nodeTest.beforeEach),
    afterEach: hook(nodeTest.afterEach),
  };
}
