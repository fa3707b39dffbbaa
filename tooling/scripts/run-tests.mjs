#!/usr/bin/env node
// `pnpm test`: installs what is missing and checks/starts Redis and RabbitMQ
// (tooling/scripts/services.sh), runs every package's tests
// through turbo (dependencies built first, packages one at a time because
// fault tests restart servers), then prints the plain "N passed, N failed"
// line summed from each package's reports (tooling/scripts/test-summary.mjs).
// `--tier=unit` (`pnpm test:unit`) runs only the unit tests, which need no
// server, so it starts none; `--tier=int` (`pnpm test:int`) only the rest.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });

const tierArg = process.argv.slice(2).find((a) => a.startsWith('--tier='));
const tier = tierArg?.slice('--tier='.length);
if (tier !== undefined && tier !== 'unit' && tier !== 'int') {
  console.error(`test: --tier must be unit or int, not ${JSON.stringify(tier)}`);
  process.exit(2);
}
const task = tier === undefined ? 'test' : `test:${tier}`;
const extra = process.argv.slice(2).filter((a) => a !== tierArg);

// Old reports must not stand in for a package that fails to run this time.
for (const group of ['packages', 'apps']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) rmSync(join(dir, name, 'test-results'), { recursive: true, force: true });
}

if (tier !== 'unit') {
  const services = run('bash', ['tooling/scripts/services.sh']);
  if (services.status !== 0) {
    // Running the tests anyway would bury the one line that says what to do under a page of failures.
    console.error('test: what the tests need is not available (see the line above); no test was run');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}
const tests = run('npx', ['turbo', 'run', task, '--concurrency=1', '--continue', '--output-logs=full', ...extra]);
const summary = run('node', ['tooling/scripts/test-summary.mjs', `--script=${task}`]);
process.exit(tests.status !== 0 || summary.status !== 0 ? 1 : 0);
