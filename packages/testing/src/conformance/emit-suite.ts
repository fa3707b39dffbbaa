import type { ConformanceRunner, RunnerBody } from '../runner/conformance-runner.js';
import { type CaseRegistry, CaseSkipped, type ConformanceCase } from './case-registry.js';

/** Hooks of a whole suite, run by the runner around the selected cases. */
export interface SuiteHooks {
  beforeAll?: () => Promise<void> | void;
  afterAll?: () => Promise<void> | void;
  beforeEach?: () => Promise<void> | void;
  afterEach?: () => Promise<void> | void;
  /** Bound of each hook; the runner's default when undefined. */
  hookTimeoutMs?: number;
  /** Called as each case starts, with its name (e.g. to say which case an unhandled rejection happened in). */
  onCaseStart?: (name: string) => void;
}

/** The options every suite takes to pick its cases. */
export interface CaseSelection {
  /**
   * Runs only these cases: each entry is a group name (e.g. `'faults'`, `'delivery'`) or a
   * case's full name. Every case runs when omitted. A name that matches nothing is a ValidationError.
   */
  only?: readonly string[];
}

/**
 * Registers one `describe(title)` block with the runner holding the cases of
 * `registry` that `only` selects, grouped as registered, the suite's hooks, and
 * `closing`: cases that always run last whatever the selection.
 */
export function emitSuite(
  runner: ConformanceRunner,
  title: string,
  registry: CaseRegistry,
  options: CaseSelection & { hooks?: SuiteHooks; closing?: CaseRegistry },
): void {
  const selected = registry.select(options.only);
  const hooks = options.hooks ?? {};
  runner.describe(title, () => {
    if (hooks.beforeAll) runner.beforeAll(hooks.beforeAll, hooks.hookTimeoutMs);
    if (hooks.beforeEach) runner.beforeEach(hooks.beforeEach, hooks.hookTimeoutMs);
    if (hooks.afterEach) runner.afterEach(hooks.afterEach, hooks.hookTimeoutMs);
    if (hooks.afterAll) runner.afterAll(hooks.afterAll, hooks.hookTimeoutMs);

    for (const [group, cases] of byGroup(selected)) {
      if (group === undefined) for (const c of cases) emitCase(runner, c, hooks.onCaseStart);
      else
        runner.describe(group, () => {
          for (const c of cases) emitCase(runner, c, hooks.onCaseStart);
        });
    }
    for (const c of options.closing?.cases ?? []) emitCase(runner, c, hooks.onCaseStart);
  });
}

/** Consecutive runs of cases of one group (groups are registered in one block each). */
function byGroup(cases: readonly ConformanceCase[]): Array<[string | undefined, ConformanceCase[]]> {
  const runs: Array<[string | undefined, ConformanceCase[]]> = [];
  for (const c of cases) {
    const last = runs[runs.length - 1];
    if (last && last[0] === c.group) last[1].push(c);
    else runs.push([c.group, [c]]);
  }
  return runs;
}

function emitCase(runner: ConformanceRunner, c: ConformanceCase, onCaseStart: SuiteHooks['onCaseStart']): void {
  if (c.skipReason !== undefined) {
    runner.it.skip(c.name, () => {});
    return;
  }
  runner.it(c.name, caseBody(c, onCaseStart), c.timeoutMs);
}

function caseBody(c: ConformanceCase, onCaseStart: SuiteHooks['onCaseStart']): RunnerBody {
  // A rest parameter keeps the body's length 0: jest would take a declared parameter for a done callback.
  return async (...args: unknown[]) => {
    onCaseStart?.(c.name);
    try {
      await c.body({
        name: c.name,
        skip: (reason) => {
          throw new CaseSkipped(reason);
        },
      });
    } catch (error) {
      if (!(error instanceof CaseSkipped)) throw error;
      // vitest's context.skip throws its own signal; node:test's t.skip marks the test and returns.
      const context = args[0] as { skip?: (reason: string) => void } | undefined;
      if (typeof context?.skip === 'function') context.skip(error.reason);
    }
  };
}
