import { ValidationError } from '../errors.js';
import type { BaseEvent } from './types.js';
import { validateEvent } from './validate.js';

/**
 * A caller's own rule for one element of a batch, run after `validateEvent`:
 * throw a ValidationError naming a field of the event (it is prefixed like
 * validateEvent's, `events[2].type`), or return a string: a message about the
 * element as a whole (reported as `events[2]`). Any other return value is ignored.
 */
export type EventCheck = (event: BaseEvent, index: number) => unknown;

/**
 * Validates a batch before any of it is sent or stored: `events` must be an
 * array and every element pass `validateEvent`, then `check` (e.g. a
 * transport's routing-key limit, a store's "must be a domain event"). The
 * first failure is a ValidationError whose field names the element:
 * `events[2].metadata.source`. Errors other than ValidationError propagate
 * unchanged.
 */
export function validateEvents(events: unknown, field = 'events', check?: EventCheck): asserts events is BaseEvent[] {
  if (!Array.isArray(events)) throw new ValidationError(field, 'must be an array');
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as BaseEvent;
    let problem: unknown;
    try {
      validateEvent(event);
      problem = check?.(event, i);
    } catch (error) {
      if (error instanceof ValidationError) {
        // `event` is the element as a whole (e.g. the codec's size limit), not a field of it.
        const where = error.field === 'event' ? `${field}[${i}]` : `${field}[${i}].${error.field}`;
        throw new ValidationError(where, error.reason, { cause: error });
      }
      throw error;
    }
    if (typeof problem === 'string') throw new ValidationError(`${field}[${i}]`, problem);
  }
}
