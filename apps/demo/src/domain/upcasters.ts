import { createUpcasters, type Upcasters } from '@herald/core';
import { badgeCategory, EventTypes } from './events.js';

/**
 * The Gamifier's schema history. `gamifier.badge.earned` v1 → v2 added
 * `category`; v1 events written by last season's code are still in the store,
 * and every reader (store, repository, bus) sees them as v2.
 */
export function createGamifierUpcasters(): Upcasters {
  return createUpcasters().register(EventTypes.BadgeEarned, 1, (event) => ({
    ...event,
    data: { ...event.data, category: badgeCategory(String(event.data?.badge)) },
  }));
}
