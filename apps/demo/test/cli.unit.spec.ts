import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/cli/progress.js';
import type { SeasonProgress } from '../src/season.js';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

/**
 * Runs the demo CLI as `pnpm demo` does, without a terminal, on memory/memory
 * and in a namespace of its own (GAMIFIER_PREFIX, never the user's `gamifier`);
 * bounded.
 */
function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['src/main.ts', ...args], {
      cwd: APP_DIR,
      env: {
        ...process.env,
        EVENT_BUS_TRANSPORT: 'memory',
        EVENT_STORE: 'memory',
        GAMIFIER_PREFIX: `gamifier-test-cli-${randomBytes(5).toString('hex')}`,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not exit within 60 s; stderr: ${stderr}`));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('pnpm demo (the CLI)', () => {
  it('runs a season, prints the summary on stdout and plain progress lines on stderr, exits 0', async () => {
    const { code, stdout, stderr } = await runCli(['--players', '30', '--commands', '250']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('Gamifier season — memory transport, memory store');
    expect(stdout).toMatch(/Consistency: 14\/14 checks pass ✓/);
    expect(stdout).toMatch(/leaderboard rebuild .* equals the live projection/);
    // Not a terminal: no carriage returns or escape codes, one line per step
    expect(stderr.includes('\r') || stderr.includes('\u001b')).toBe(false);
    expect(stderr).toMatch(/^season: 100% done /m);
    expect(stderr).toMatch(/^rebuild: 100% rebuilding the leaderboard (\d+)\/\1 · 0 remaining/m);
  });

  it('exits non-zero naming a bad environment variable or flag', async () => {
    const badEnv = await runCli([], { EVENT_BUS_TRANSPORT: 'kafka' });
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toContain('EVENT_BUS_TRANSPORT');
    const badFlag = await runCli(['--players', 'many']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('--players must be a positive integer');
  });
});

describe('progress output', () => {
  const step = (over: Partial<SeasonProgress>): SeasonProgress => ({
    phase: 'commands', done: 0, total: 100, accepted: 0, rejected: 0, events: 0, stored: 0, relayed: 0, ...over,
  });

  it('writes a line per tenth when stderr is not a terminal', () => {
    const lines: string[] = [];
    const progress = createProgress({ write: (s: string) => lines.push(s), isTTY: false });
    for (let done = 1; done <= 100; done++) progress.update(step({ done }));
    progress.update(step({ phase: 'done', done: 100, stored: 10, relayed: 10, events: 12 }));
    progress.end();
    expect(lines).toHaveLength(11 + 1); // 1%, 10%, …, 100%, then done
    expect(lines.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^season: 100% done 10\/10 through the outbox · 12 delivered/);
  });

  it('redraws one bar in place on a terminal', () => {
    const chunks: string[] = [];
    const progress = createProgress({ write: (s: string) => chunks.push(s), isTTY: true, columns: 100 });
    progress.update(step({ done: 50 }));
    progress.update(step({ phase: 'done', done: 100, stored: 5, relayed: 5 }));
    progress.end();
    expect(chunks[0]!.startsWith('\r\u001b[2K[')).toBe(true);
    expect(chunks[0]).toMatch(/\[█+░+\] {2}50% /);
    expect(chunks.at(-2)).toContain('100% done');
    expect(chunks.at(-1)).toBe('\n');
  });
});
