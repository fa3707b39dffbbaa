/**
 * Where each number of an event type lives in its `cells` (a Float64Array per type, see
 * type-series.ts). Slots 0–3 count `events_handled_total` by status (SUCCESS, FAILED,
 * FILTERED, DEAD_LETTERED in type-series.ts). Everything one handling adds to sits in this
 * one array, so recording touches a few cache lines rather than a dozen small objects.
 */
export const RETRIES = 4;
export const DEAD_LETTERED_TOTAL = 5;
export const PUBLISHED = 6;
/** Lifetime totals behind `getStats()` without `since` and `getLatency` (exact). */
export const LIFETIME_SETTLED = 7;
export const LIFETIME_FAILED = 8;
export const LIFETIME_LATENCY_SUM = 9;
export const LIFETIME_LATENCY_COUNT = 10;
/** The handler-duration histogram starts here; the latency histogram follows it. */
export const DURATION = 11;

