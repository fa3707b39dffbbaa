import type { EventBusMiddleware } from '@herald/core';
import type { MetricsRecorder } from './recorder.js';

const IGNORE = () => {};

/**
 * The bus middleware: counts a publish once the transport accepted it, and records
 * every handling attempt from core's `onOutcome` (which every transport reports through
 * its DispatchPipeline). It never touches the event or the handler's result.
 */
export function trackerMiddleware(recorder: MetricsRecorder): EventBusMiddleware {
  // A promise seen fulfilled stays fulfilled. Transports with a fast path hand back one
  // shared resolved promise (the in-memory bus does); once it was seen fulfilled, a
  // publish returning it again is counted at once, without a callback per publish.
  let seenFulfilled: Promise<void> | undefined;
  return {
    name: 'prometheus',
    publish(event, next) {
      const sent = next(event);
      if (sent === seenFulfilled) {
        recorder.published(event.type);
        return sent;
      }
      const type = event.type;
      sent.then(() => {
        seenFulfilled = sent;
        recorder.published(type);
      }, IGNORE);
      // The transport's own promise goes back: the caller still sees a rejection.
      return sent;
    },
    onOutcome(event, outcome) {
      recorder.outcome(event, outcome.status, outcome.durationMs, outcome.endedAt);
    },
  };
}
