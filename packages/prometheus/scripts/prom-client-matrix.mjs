#!/usr/bin/env node
// Runs this package's unit tests (the /metrics text, recording, options, serving) against every
// prom-client release the peer range admits, not only the one in the lockfile: the histograms
// are rendered through the registry's metric protocol, so a release that changed how the
// registry reads metrics must fail here.
//
//   node scripts/prom-client-matrix.mjs            # every admitted release (asks npm which)
//   node scripts/prom-client-matrix.mjs 15.0.0     # only the given ones
//
// Each release is installed with npm into node_modules/.prom-client-matrix/<version>/ (kept as a
// cache) and swapped in for `prom-client` by vitest.config.ts (PROM_CLIENT_ENTRY).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const range = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).peerDependencies['prom-client'];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function admittedVersions() {
  const out = execFileSync(npm, ['view', `prom-client@${range}`, 'version', '--json'], { encoding: 'utf8' });
  const parsed = JSON.parse(out);
  return Array.isArray(parsed) ? parsed : [parsed];
}

function install(version) {
  const dir = join(root, 'node_modules', '.prom-client-matrix', version);
  const entry = join(dir, 'node_modules', 'prom-client', 'index.js');
  if (!existsSync(entry)) {
    mkdirSync(dir, { recursive: true });
    execFileSync(npm, ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', `prom-client@${version}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return entry;
}

const versions = process.argv.length > 2 ? process.argv.slice(2) : admittedVersions();
process.stdout.write(`prom-client ${range}: ${versions.join(', ')}\n`);
const failed = [];
for (const version of versions) {
  const entry = install(version);
  const run = spawnSync('npx', ['vitest', 'run', '--reporter=dot', 'test/'], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', PROM_CLIENT_ENTRY: entry, PROM_CLIENT_VERSION: version },
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  const summary = `${run.stdout}${run.stderr}`.split('\n').filter((line) => /Test Files|Tests\s/.test(line));
  process.stdout.write(`prom-client ${version}: ${run.status === 0 ? 'passed' : 'FAILED'}  ${summary.map((s) => s.trim()).join(' · ')}\n`);
  if (run.status !== 0) {
    failed.push(version);
    process.stdout.write(run.stdout.slice(-4000));
  }
}
if (failed.length > 0) {
  process.stderr.write(`failed on prom-client ${failed.join(', ')}\n`);
  process.exit(1);
}
