import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';

// The package supports amqplib 0.10.9 to 2.x. The main run uses the newest; `pnpm
// test:amqplib-oldest` (HERALD_AMQPLIB=oldest) the oldest. This checks the run uses the
// client it says it does.
describe('amqplib under test', () => {
  it('is the major the run asked for', () => {
    // Given the amqplib the bus imports (aliased to "amqplib-0.10" in the oldest run)
    const require = createRequire(import.meta.url);
    const oldest = process.env.HERALD_AMQPLIB === 'oldest';
    const installed = oldest ? 'amqplib-0.10' : 'amqplib';
    // (2.x's "exports" hide package.json: read it next to the entry point)
    const manifest = join(dirname(require.resolve(installed)), 'package.json');
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };

    // Then the module imported is that installation, 0.10.x in the oldest run and 2.x otherwise
    expect(amqp).toBe(require(installed));
    expect(version).toMatch(oldest ? /^0\.10\./ : /^2\./);
  });
});
