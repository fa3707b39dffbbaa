import { expect } from '../assert/expect.js';
import { assertRunner, type ConformanceRunner } from '../runner/conformance-runner.js';
import { registerDeadLetterRouteCases } from './bus-dead-letter-route-cases.js';
import { registerDeliveryCases } from './bus-delivery-cases.js';
import { registerFailureCases } from './bus-failure-cases.js';
import { registerFaultCases } from './bus-fault-cases.js';
import { registerFlowCases } from './bus-flow-cases.js';
import { registerGroupCases } from './bus-group-cases.js';
import { registerIdempotentCases } from './bus-idempotent-cases.js';
import { registerLifecycleCases } from './bus-lifecycle-cases.js';
import { registerMalformedCases } from './bus-malformed-cases.js';
import type { EventBusConformanceOptions } from './bus-options.js';
import { registerPatternCases } from './bus-pattern-cases.js';
import { registerShapeCases } from './bus-shape-cases.js';
import { registerReplayAllCases } from './bus-replay-all-cases.js';
import { BusSuite } from './bus-suite.js';
import { registerVolumeCases } from './bus-volume-cases.js';
import { CaseRegistry } from './case-registry.js';
import { emitSuite } from './emit-suite.js';

export type { EventBusConformanceOptions } from './bus-options.js';

/**
 * Registers the event-bus conformance suite with `runner` (vitest's
 * `{ describe, it, beforeAll, afterAll, beforeEach, afterEach }`, or
 * `nodeTestRunner(nodeTest)`): the behaviour every Herald event bus promises
 * (docs/design-notes.md), checked the same way on every transport. Cases that
 * need a capability say so in their name (`[consumerGroups]`, `[ordered]`,
 * `[deadLetters]`) and are reported as skipped on a transport that does not
 * declare it; malformed-message cases need `injectRaw`, fault cases need
 * `faults`. `only` picks groups or cases (e.g. `only: ['faults']`).
 */
export function describeEventBusConformance(runner: ConformanceRunner, options: EventBusConformanceOptions): void {
  assertRunner('describeEventBusConformance', runner);
  const suite = new BusSuite(options);
  const rejections: Array<{ reason: unknown; during: string | undefined }> = [];
  let current: string | undefined;
  /** Rejections already asserted by the closing case; afterAll reports only later ones. */
  let reported = 0;
  const onRejection = (reason: unknown) => rejections.push({ reason, during: current });

  const cases = new CaseRegistry();
  registerDeliveryCases(suite, cases);
  registerPatternCases(suite, cases);
  registerGroupCases(suite, cases);
  registerVolumeCases(suite, cases);
  registerFailureCases(suite, cases);
  registerMalformedCases(suite, cases);
  registerDeadLetterRouteCases(suite, cases);
  registerReplayAllCases(suite, cases);
  registerFlowCases(suite, cases);
  registerLifecycleCases(suite, cases);
  registerFaultCases(suite, cases);
  registerShapeCases(suite, cases);
  registerIdempotentCases(suite, cases);

  const closing = new CaseRegistry();
  closing.it('left no unhandled rejection behind in any case', async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    reported = rejections.length;
    expect(rejections.map(describeRejection), 'unhandled rejections').toEqual([]);
  });

  emitSuite(runner, `${options.name} — event bus conformance`, cases, {
    only: options.only,
    closing,
    hooks: {
      hookTimeoutMs: suite.caseTimeoutMs,
      onCaseStart: (name) => {
        current = name;
      },
      beforeAll: () => {
        process.on('unhandledRejection', onRejection);
      },
      afterEach: () => suite.cleanup(),
      afterAll: async () => {
        // Late rejections (after the last case) are still the suite's.
        await suite.cleanup();
        await new Promise<void>((resolve) => setImmediate(resolve));
        process.off('unhandledRejection', onRejection);
        const late = rejections.slice(reported).map(describeRejection);
        expect(late, 'unhandled rejections after the last case').toEqual([]);
      },
    },
  });
}

function describeRejection({ reason, during }: { reason: unknown; during: string | undefined }): string {
  const what = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  return during === undefined ? what : `${what} (during "${during}")`;
}
