#!/usr/bin/env node
// Prints the plain "N passed, N failed" line CI reads, summed over every
// package's vitest JSON report (test-results/vitest.json) and, for a package
// whose script also runs node:test files (through tooling/scripts/node-test.mjs),
// its TAP report (test-results/node-test.tap). A report that is missing counts as one failure
// so a crashed run cannot look green. `--script=test:unit` (or test:int) sums
// the packages that have that script, as `pnpm test:unit` ran them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const script = process.argv.find((a) => a.startsWith('--script='))?.slice('--script='.length) ?? 'test';
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const group of ['packages', 'apps']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const pkgJson = join(dir, name, 'package.json');
    if (!existsSync(pkgJson)) continue;
    const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
    if (!pkg.scripts?.[script]) continue;
    const report = join(dir, name, 'test-results', 'vitest.json');
    if (!existsSync(report)) {
      missing.push(`${group}/${name}`);
      failed += 1;
      continue;
    }
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed += r.numPassedTests ?? 0;
    failed += r.numFailedTests ?? 0;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    // A file that failed without a failed test — it did not load, or a beforeAll/afterAll
    // hook threw (its tests then show as skipped) — counts as one failure.
    for (const file of r.testResults ?? []) {
      const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed').length;
      if (file.status === 'failed' && failedTests === 0) failed += 1;
    }
    if (pkg.scripts[script].includes('node-test.mjs')) {
      const tap = join(dir, name, 'test-results', 'node-test.tap');
      if (!existsSync(tap)) {
        missing.push(`${group}/${name} (node:test)`);
        failed += 1;
        continue;
      }
      const counts = nodeTestCounts(readFileSync(tap, 'utf8'));
      passed += counts.passed;
      failed += counts.failed;
      skipped += counts.skipped;
    }
  }
}

/**
 * Totals of a node:test TAP report, from the closing `# pass N` … lines node writes.
 * A report without them (the run died) or with a `not ok` the totals do not
 * count (a suite whose hook failed) counts as one failure.
 */
function nodeTestCounts(tap) {
  const total = (name) => {
    const match = tap.match(new RegExp(`^# ${name} (\\d+)$`, 'm'));
    return match ? Number(match[1]) : undefined;
  };
  const pass = total('pass');
  if (pass === undefined) return { passed: 0, failed: 1, skipped: 0 };
  let failed = (total('fail') ?? 0) + (total('cancelled') ?? 0);
  const notOk = tap.split('\n').some((line) => /^\s*not ok \d+/.test(line) && !/#\s*TODO\b/i.test(line));
  if (failed === 0 && notOk) failed = 1;
  return { passed: pass, failed, skipped: (total('skipped') ?? 0) + (total('todo') ?? 0) };
}

if (missing.length > 0) console.error(`no test report for: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
