// Summary of a V8 .cpuprofile (written by `node --cpu-prof`): self time by function and by package.
// `pnpm bench --profile` profiles the product's processes and prints this after the table;
// `tsx tests/bench/profile.ts file.cpuprofile` summarises a profile on its own.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  gcMs: number;
  functions: Array<{ name: string; ms: number; share: number }>;
  packages: Array<{ name: string; ms: number; share: number }>;
}

/** Where a script belongs: an npm package, a workspace package, node's internals. */
function packageOf(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + 14).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const ws = /\/(server|nodes|shared|tests)\/src\/(.+?)(?:\/[^/]+)?$/.exec(url) ?? /\/(server|nodes|shared|tests)\/(.+)$/.exec(url);
  if (ws) return `@bundles/${ws[1]} ${ws[2]}`;
  return url;
}

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  let totalMs = 0;
  let idleMs = 0;
  let gcMs = 0;
  const fns = new Map<string, number>();
  const pkgs = new Map<string, number>();
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    if (functionName === '(garbage collector)') gcMs += ms;
    const file = url ? url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '') : '';
    const where = file ? ` ${file.replace(/^.*\/work\/main\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${where}`;
    fns.set(key, (fns.get(key) ?? 0) + ms);
    const pkg = packageOf(url.replace(/^file:\/\//, ''));
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + ms);
  }
  const busy = totalMs - idleMs;
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: busy > 0 ? ms / busy : 0 }));
  return { totalMs: Math.round(totalMs), idleMs: Math.round(idleMs), gcMs: Math.round(gcMs), functions: rank(fns), packages: rank(pkgs) };
}

export function formatProfile(label: string, s: ProfileSummary): string {
  const busy = s.totalMs - s.idleMs;
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `${label}: ${(s.totalMs / 1000).toFixed(1)} s profiled, busy ${(busy / 1000).toFixed(1)} s (${pct(s.totalMs ? busy / s.totalMs : 0).trim()}), GC ${(s.gcMs / 1000).toFixed(1)} s`,
    '  self time by package (share of busy):',
    ...s.packages.slice(0, 10).map((p) => `    ${pct(p.share)}  ${p.name}`),
    '  self time by function:',
    ...s.functions.map((f) => `    ${pct(f.share)}  ${f.name}`),
  ];
  return lines.join('\n');
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const file of process.argv.slice(2)) console.log(formatProfile(path.basename(file), summarizeProfile(readProfile(file), 25)));
}
