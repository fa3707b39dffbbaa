import { readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { reachable, type BenchResult, type Scenario } from './harness.js';

// `pnpm bench [--quick] [filter...]`: runs every scenario in src/scenarios (or those whose
// name contains a filter), prints a table, writes results/latest.json.
const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filters = args.filter((a) => !a.startsWith('--'));

const PORTS = { redis: 6379, rabbitmq: 5672 } as const;

async function main(): Promise<void> {
  const dir = join(here, 'scenarios');
  const files = readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { scenarios?: Scenario[] };
    scenarios.push(...(mod.scenarios ?? []));
  }
  const selected = scenarios.filter((s) => filters.length === 0 || filters.some((f) => s.name.includes(f)));
  const results: BenchResult[] = [];
  const skipped: string[] = [];
  for (const scenario of selected) {
    const missing: string[] = [];
    for (const need of scenario.requires ?? []) if (!(await reachable(PORTS[need]))) missing.push(need);
    if (missing.length > 0) {
      skipped.push(`${scenario.name} (needs ${missing.join(', ')})`);
      continue;
    }
    process.stderr.write(`bench: ${scenario.name}${quick ? ' (quick)' : ''} …\n`);
    const started = performance.now();
    const out = await scenario.run({ quick, log: (m) => process.stderr.write(`  ${m}\n`) });
    results.push(...out);
    process.stderr.write(`bench: ${scenario.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  printTable(results);
  if (skipped.length > 0) console.log(`skipped: ${skipped.join('; ')}`);
  const outDir = join(here, '..', 'results');
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${join('apps', 'bench', 'results', 'latest.json')} (${results.length} results${quick ? ', quick mode: targets not enforced' : ''})`);
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => [
    r.scenario,
    r.metric + (r.unit ? ` (${r.unit})` : ''),
    fmt(r.herald),
    `${fmt(r.baseline)} ${r.baselineName}`,
    r.ratio.toFixed(2),
    r.target ? `${r.target} ${r.met === undefined ? '' : r.met ? '✓' : '✗'}` : '',
  ]);
  const head = ['scenario', 'metric', 'herald', 'baseline', 'ratio', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
