/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with
 * the most self time, with their share of the profile and the file they are
 * in (the package, for node_modules), and the self time per package.
 *
 *   npx tsx probes/cpuprofile-top.ts <file.cpuprofile> [rows=25]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, rowsArg = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: cpuprofile-top.ts <file.cpuprofile> [rows]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
// Self time per node: each sample's delta is charged to the node it landed in.
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

function where(url: string): string {
  if (url === '') return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const pkg = /\/packages\/([^/]+)\//.exec(url);
  if (pkg) return `@herald/${pkg[1]}`;
  if (url.startsWith('node:')) return 'node';
  return url.replace(/^.*\//, '');
}

const fns = new Map<string, { us: number; where: string }>();
const packages = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  total += us;
  if (functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)') {
    if (functionName === '(idle)') idle += us;
    const key = functionName;
    fns.set(key, { us: (fns.get(key)?.us ?? 0) + us, where: '' });
    if (functionName !== '(idle)') packages.set(functionName, (packages.get(functionName) ?? 0) + us);
    continue;
  }
  const w = where(url);
  const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\//, '')}:${lineNumber + 1}` : ''}`;
  fns.set(key, { us: (fns.get(key)?.us ?? 0) + us, where: w });
  packages.set(w, (packages.get(w) ?? 0) + us);
}
const busy = total - idle;
const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s not idle (percentages are of that)`);
console.log('\nself time by package');
for (const [w, us] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${w}`);
console.log('\ntop functions by self time');
for (const [key, { us, where: w }] of [...fns].filter(([k]) => k !== '(idle)').sort((a, b) => b[1].us - a[1].us).slice(0, Number(rowsArg))) {
  console.log(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${w.padEnd(18)} ${key}`);
}
