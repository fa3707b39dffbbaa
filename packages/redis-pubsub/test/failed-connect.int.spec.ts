import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
/** In this package's private port range: nothing listens there. */
const DEAD_PORT = 6391;

/** Runs the fixture; resolves with its output and exit code, or 'still running' after `boundMs`. */
function run(what: 'connect' | 'publish', boundMs: number): Promise<{ output: string; code: number | null | 'still running' }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(packageDir, 'test', 'fixtures', 'connect-dead-port.mjs'), String(DEAD_PORT), what], {
      cwd: packageDir,
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += String(d);
    });
    child.stderr.on('data', (d) => {
      output += String(d);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ output, code: 'still running' });
    }, boundMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ output, code });
    });
  });
}

describe('a failed first connection', () => {
  // The child runs the built package; build it once when it is missing.
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) execFileSync('npx', ['tsup'], { cwd: packageDir, stdio: 'ignore' });

  it.each(['connect', 'publish'] as const)('does not keep the process alive after a failed %s (no reconnect loop)', async (what) => {
    // Given a process whose bus points at a port nothing listens on, and which never calls close()
    // When it tries once and fails
    const { output, code } = await run(what, 20_000);

    // Then it reports the failure and exits by itself (a generous bound: only a process kept alive fails it)
    expect(output).toContain('failed:');
    expect(code).toBe(0);
  });
});
