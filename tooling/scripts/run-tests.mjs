#!/usr/bin/env node
// `pnpm test`: installs what is missing and checks/starts Redis and RabbitMQ
// (tooling/scripts/services.sh), runs every package's tests
// through turbo (dependencies built first, packages one at a time because
// fault tests restart servers), then prints the plain "N passed, N failed"
// line summed from each package's vitest JSON report.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });

// Old reports must not stand in for a package that fails to run this time.
for (const group of ['packages', 'apps']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) rmSync(join(dir, name, 'test-results'), { recursive: true, force: true });
}

const services = run('bash', ['tooling/scripts/services.sh']);
if (services.status !== 0) {
  // Running the tests anyway would bury the one line that says what to do under a page of failures.
  console.error('test: what the tests need is not available (see the line above); no test was run');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const extra = process.argv.slice(2);
const tests = run('npx', ['turbo', 'run', 'test', '--concurrency=1', '--continue', '--output-logs=full', ...extra]);
const summary = run('node', ['tooling/scripts/test-summary.mjs']);
process.exit(tests.status !== 0 || summary.status !== 0 || services.status !== 0 ? 1 : 0);
