import type { RebuildProgress } from '@herald/core';
import type { SeasonProgress } from '../season.js';

interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * The season's progress on stderr. On a terminal: one bar redrawn in place,
 * at most every 80 ms. Otherwise (CI, a pipe, a log file): a plain line at
 * every tenth of the way, so logs stay readable.
 */
export function createProgress(stream: Stream = process.stderr): { update(p: SeasonProgress): void; end(): void } {
  const tty = stream.isTTY === true;
  const started = performance.now();
  let lastDraw = 0;
  let lastTenth = '';
  let drawn = false;

  // Two stages: the scripted commands, then the events they caused working their
  // way through the outbox, the bus, the policy's own commands and the retries.
  const line = (p: SeasonProgress) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    let pct: number;
    let tail: string;
    if (p.phase === 'commands') {
      pct = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100);
      tail = `1/2 commands ${p.done}/${p.total} · ${p.rejected} rejected · ${seconds}s`;
    } else {
      pct = p.phase === 'done' || p.stored === 0 ? 100 : Math.min(99, Math.floor((p.relayed / p.stored) * 100));
      tail = `${p.phase === 'done' ? 'done' : '2/2 events'} ${p.relayed}/${p.stored} through the outbox · ${p.events} delivered · ${seconds}s`;
    }
    return { pct, tail };
  };

  return {
    update(p) {
      const { pct, tail } = line(p);
      if (tty) {
        const now = performance.now();
        if (p.phase !== 'done' && now - lastDraw < 80) return;
        lastDraw = now;
        const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - tail.length - 12));
        const filled = Math.round((pct / 100) * width);
        stream.write(`\r\x1b[2K[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${tail}`);
        drawn = true;
        return;
      }
      const tenth = `${p.phase === 'commands' ? 'c' : 'e'}${Math.floor(pct / 10)}`;
      if (p.phase !== 'done' && tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`season: ${String(pct).padStart(3)}% ${tail}\n`);
    },
    end() {
      if (tty && drawn) stream.write('\n');
    },
  };
}

/** The leaderboard rebuild's progress on stderr: a bar on a terminal, one line per quarter otherwise. */
export function createRebuildProgress(stream: Stream = process.stderr): { update(p: RebuildProgress): void; end(): void } {
  const tty = stream.isTTY === true;
  let lastQuarter = -1;
  let drawn = false;
  return {
    update(p) {
      const pct = p.total === 0 ? 100 : Math.min(100, Math.floor((p.done / p.total) * 100));
      const tail = `rebuilding the leaderboard ${p.done}/${p.total} · ${p.remaining} remaining · ${p.eventsPerSecond} events/s`;
      if (tty) {
        const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - tail.length - 12));
        const filled = Math.round((pct / 100) * width);
        stream.write(`\r\x1b[2K[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${tail}`);
        drawn = true;
        return;
      }
      const quarter = Math.floor(pct / 25);
      if (quarter === lastQuarter) return;
      lastQuarter = quarter;
      stream.write(`rebuild: ${String(pct).padStart(3)}% ${tail}\n`);
    },
    end() {
      if (tty && drawn) stream.write('\n');
    },
  };
}
