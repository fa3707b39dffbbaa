import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

export type { EventBusConformanceOptions } from './bus-options.js';

/**
 * Registers the event-bus conformance suite with vitest: the behaviour
 * every Herald event bus promises (docs/design-notes.md), checked the same way on every
 * transport. Cases that need a capability say so in their name
 * (`[consumerGroups]`, `[ordered]`, `[deadLetters]`) and are reported as
 * skipped on a transport that does not declare it; malformed-message cases need
 * `injectRaw`, fault cases need `faults`.
 */
export function describeEventBusConformance(options: EventBusConformanceOptions): void {
  const suite = new BusSuite(options);
  const rejections: Array<{ reason: unknown; during: string | undefined }> = [];
  let current: string | undefined;
  /** Rejections already asserted by the closing case; afterAll reports only later ones. */
  let reported = 0;
  const onRejection = (reason: unknown) => rejections.push({ reason, during: current });

  describe(`${options.name} — event bus conformance`, () => {
    beforeAll(() => {
      process.on('unhandledRejection', onRejection);
    });

    beforeEach((ctx) => {
      current = ctx.task.name;
    });

    afterEach(() => suite.cleanup(), suite.caseTimeoutMs);

    afterAll(async () => {
      // Late rejections (after the last case) are still the suite's.
      await suite.cleanup();
      await new Promise<void>((resolve) => setImmediate(resolve));
      process.off('unhandledRejection', onRejection);
      const late = rejections.slice(reported).map(describeRejection);
      expect(late, 'unhandled rejections after the last case').toEqual([]);
    });

    registerDeliveryCases(suite);
    registerPatternCases(suite);
    registerGroupCases(suite);
    registerVolumeCases(suite);
    registerFailureCases(suite);
    registerMalformedCases(suite);
    registerDeadLetterRouteCases(suite);
    registerReplayAllCases(suite);
    registerFlowCases(suite);
    registerLifecycleCases(suite);
    registerFaultCases(suite);
    registerShapeCases(suite);
    registerIdempotentCases(suite);

    it('left no unhandled rejection behind in any case', async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      reported = rejections.length;
      expect(rejections.map(describeRejection), 'unhandled rejections').toEqual([]);
    });
  });
}

function describeRejection({ reason, during }: { reason: unknown; during: string | undefined }): string {
  const what = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  return during === undefined ? what : `${what} (during "${during}")`;
}
