/**
 * Stands in for `vitest` in the CommonJS build only: vitest 4 cannot be
 * loaded with require(), so from CommonJS the kit, the recording bus and
 * scenarios work, and the conformance suites explain why they cannot.
 */
function unavailable(): never {
  throw new Error(
    '@herald/testing: the conformance suites need vitest, which cannot be loaded with require(); ' +
      'import @herald/testing from an ES module (a vitest test file) instead',
  );
}

export const describe = unavailable;
export const it = unavailable;
export const expect = unavailable;
export const beforeAll = unavailable;
export const afterAll = unavailable;
export const beforeEach = unavailable;
export const afterEach = unavailable;
