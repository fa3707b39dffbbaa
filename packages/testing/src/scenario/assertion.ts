/**
 * A failed expectation carrying `actual` and `expected`, so vitest (and other
 * runners that read these fields) print a structural diff under the message.
 */
export class ScenarioAssertionError extends Error {
  readonly actual: unknown;
  readonly expected: unknown;
  readonly showDiff: boolean;

  constructor(message: string, details: { actual?: unknown; expected?: unknown; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AssertionError';
    this.actual = details.actual;
    this.expected = details.expected;
    this.showDiff = 'actual' in details && 'expected' in details;
  }
}
