#!/usr/bin/env node
// Runs a package's node:test files (`node tooling/scripts/node-test.mjs <files or dirs>`
// from the package): the spec reporter on the terminal, and TAP to
// test-results/node-test.tap, which tooling/scripts/test-summary.mjs adds to the
// "N passed, N failed" line. Exits with node --test's status.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';

const report = 'test-results/node-test.tap';
mkdirSync('test-results', { recursive: true });
// A report left by an earlier run must not stand in for this one.
rmSync(report, { force: true });
const args = ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${report}`];
const result = spawnSync(process.execPath, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
