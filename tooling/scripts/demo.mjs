#!/usr/bin/env node
// `pnpm demo [flags]`: builds the packages the demo imports (through turbo, so
// the second run is a cache hit), then runs the Gamifier with the given flags.
// On a fresh clone nothing is built yet, and the demo resolves @herald/* to
// their dist/ folders.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const bin = (dir, name) => join(root, dir, 'node_modules', '.bin', name);

if (!existsSync(bin('.', 'turbo')) || !existsSync(bin('apps/demo', 'tsx'))) {
  console.error('demo: dependencies are not installed; run `npx pnpm@12.4.2 install` first');
  process.exit(1);
}

process.stderr.write('demo: building the packages it uses (cached after the first run)…\n');
const started = Date.now();
const build = spawnSync(bin('.', 'turbo'), ['run', 'build', '--filter=@herald/demo^...', '--output-logs=errors-only', '--log-prefix=none'], {
  cwd: root,
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
if (build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
  console.error(`demo: the build failed (exit ${build.status ?? build.signal})`);
  process.exit(1);
}
process.stderr.write(`demo: packages ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

const demo = spawnSync(bin('apps/demo', 'tsx'), ['src/main.ts', ...process.argv.slice(2)], { cwd: join(root, 'apps/demo'), env, stdio: 'inherit' });
process.exit(demo.status ?? 1);
