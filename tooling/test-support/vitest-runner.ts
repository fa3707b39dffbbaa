import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';

/** vitest's test functions, as the conformance suites of @herald/testing take them (a ConformanceRunner). */
export const vitestRunner = { describe, it, beforeAll, afterAll, beforeEach, afterEach };
