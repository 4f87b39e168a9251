// CPU time by component (the product's processes, PostgreSQL, this bench process), from /proc:
// shows where the machine's cores went during a phase. Linux only; elsewhere every figure is null.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSec = 100;
try {
  ticksPerSec = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* the usual value */
}

/** utime, stime, cutime, cstime of a process in ms; null when it is gone (or no /proc). */
function times(pid: number): { self: number; kernel: number; children: number; ppid: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces: fields start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (i: number) => (Number(f[i]) * 1000) / ticksPerSec;
    return { ppid: Number(f[1]), self: ms(11) + ms(12), kernel: ms(12), children: ms(13) + ms(14) };
  } catch {
    return null;
  }
}

/**
 * Of a `/proc/<pid>/task/<tid>/schedstat` line (`<ns on a core> <ns waiting for one> <time slices>`), the ms the
 * thread waited while runnable: the run queue's delay, which CPU time does not show.
 */
export function schedstatWaitMs(line: string): number | null {
  const m = /^(\d+) (\d+) (\d+)\s*$/.exec(line);
  return m ? Number(m[2]) / 1e6 : null;
}

/** Ms the threads of a process waited for a core while runnable, all threads together; null when it is gone. */
function waitedMs(pid: number): number | null {
  try {
    let ms = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        ms += schedstatWaitMs(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')) ?? 0;
      } catch {
        /* a thread that ended meanwhile */
      }
    }
    return ms;
  } catch {
    return null;
  }
}

const waitedOfAll = (pids: Iterable<number>): number | null => {
  let ms = 0;
  for (const pid of pids) {
    const w = waitedMs(pid);
    if (w === null) return null;
    ms += w;
  }
  return ms;
};

/** The postmaster of a local PostgreSQL, from the pid of one of its backends. */
export function postmasterOf(backendPid: number): number | null {
  return times(backendPid)?.ppid ?? null;
}

/**
 * What a PostgreSQL process is, from the title it sets (`postgres: walwriter`, `postgres: user db [local] idle`):
 * its auxiliary role, or `connections` for a backend that serves a client.
 */
export function postgresKind(cmdline: string): string {
  const title = cmdline.replace(/\0/g, ' ').trim();
  const m = /^postgres: (checkpointer|background writer|walwriter|autovacuum launcher|autovacuum worker|logical replication launcher|logical replication worker|io worker|walsender|startup)/.exec(title);
  return m ? m[1]! : 'connections';
}

function kindOf(pid: number): string {
  try {
    return postgresKind(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return 'connections';
  }
}

/** CPU ms of the postmaster and of every process it forked by pid, with its kind; exited ones are in `exited` (the postmaster's children times). */
function postgresProcs(postmaster: number): PostgresProcs | null {
  const pm = times(postmaster);
  if (!pm) return null;
  const procs: PostgresProcs = { postmaster: pm.self, exited: pm.children, byPid: new Map() };
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const t = times(pid);
    if (t && t.ppid === postmaster) procs.byPid.set(pid, { kind: kindOf(pid), ms: t.self, kernelMs: t.kernel, waitedMs: waitedMs(pid) ?? 0 });
  }
  return procs;
}

export interface PostgresProcs {
  postmaster: number;
  /** CPU ms of the postmaster's children that have exited (autovacuum workers, closed connections). */
  exited: number;
  /**
   * `kernelMs`: the part of `ms` spent in the kernel (system time: sockets, WAL writes and flushes);
   * `waitedMs`: time runnable but waiting for a core (schedstat).
   */
  byPid: Map<number, { kind: string; ms: number; kernelMs: number; waitedMs: number }>;
}

const postgresTotal = (p: PostgresProcs) => p.postmaster + p.exited + [...p.byPid.values()].reduce((s, v) => s + v.ms, 0);

/**
 * PostgreSQL's CPU ms between two snapshots by kind of process. A process that exited in between is counted
 * under `exited processes` (what it used after the first snapshot: the postmaster's children times, less what it
 * had used before), so the parts add up to the total.
 */
export function postgresByKind(a: PostgresProcs, b: PostgresProcs): Record<string, number> {
  const out: Record<string, number> = { postmaster: b.postmaster - a.postmaster, 'exited processes': b.exited - a.exited };
  for (const [pid, p] of b.byPid) {
    const before = a.byPid.get(pid);
    out[p.kind] = (out[p.kind] ?? 0) + p.ms - (before?.kind === p.kind ? before.ms : 0);
  }
  for (const [pid, p] of a.byPid) if (b.byPid.get(pid)?.kind !== p.kind) out['exited processes']! -= p.ms;
  return out;
}

/** The kernel's part of the client backends' CPU ms between two snapshots (backends alive at both). */
export function connectionsInKernel(a: PostgresProcs, b: PostgresProcs): number {
  let ms = 0;
  for (const [pid, p] of b.byPid) {
    const before = a.byPid.get(pid);
    if (p.kind === 'connections' && before?.kind === 'connections') ms += p.kernelMs - before.kernelMs;
  }
  return ms;
}

/** What PostgreSQL's processes alive at both snapshots waited for a core in between, in ms. */
export function postgresWaited(a: PostgresProcs, b: PostgresProcs): number {
  let ms = 0;
  for (const [pid, p] of b.byPid) {
    const before = a.byPid.get(pid);
    if (before) ms += p.waitedMs - before.waitedMs;
  }
  return ms;
}

/** Busy CPU ms of the whole machine (all cores), from /proc/stat; null without /proc. */
function machineMs(): number | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal ...
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + (f[7] ?? 0);
    return (busy * 1000) / ticksPerSec;
  } catch {
    return null;
  }
}

export interface CpuSnapshot {
  at: number;
  product: number | null;
  postgres: number | null;
  /** PostgreSQL's processes one by one (null when PostgreSQL is not measured). */
  postgresProcs?: PostgresProcs | null;
  bench: number;
  machine: number | null;
  /** Ms the product's and this bench process's threads waited for a core while runnable (PostgreSQL's: in postgresProcs). */
  waited: { product: number | null; bench: number | null };
}

export function cpuSnapshot(productPids: readonly number[], postmaster: number | null): CpuSnapshot {
  let product: number | null = 0;
  for (const pid of productPids) {
    const t = times(pid);
    if (!t) {
      product = null;
      break;
    }
    product += t.self;
  }
  const u = process.cpuUsage();
  const procs = postmaster ? postgresProcs(postmaster) : null;
  return {
    at: performance.now(), product, postgres: procs ? postgresTotal(procs) : null, postgresProcs: procs, bench: (u.user + u.system) / 1000, machine: machineMs(),
    waited: { product: waitedOfAll(productPids), bench: waitedMs(process.pid) },
  };
}

export interface CpuUse {
  /** CPU ms per event (delivered SMS) by component. */
  perEventMs: { product: number | null; postgres: number | null; bench: number | null };
  /** PostgreSQL's CPU ms per event by kind of process (connections, walwriter, checkpointer, …); empty when not measured. */
  postgresPerEventMs: Record<string, number>;
  /** Of the client backends' CPU ms per event, what the kernel spent for them (sockets, WAL writes and flushes). */
  connectionsKernelPerEventMs: number | null;
  /**
   * Ms per event each component's threads spent runnable but waiting for a core. Large next to its CPU ms per
   * event, the cores were taken at the moments it needed one, however idle they were on average.
   */
  waitedPerEventMs: { product: number | null; postgres: number | null; bench: number | null };
  /** Share of all cores used by each component over the interval. */
  coreShare: { product: number | null; postgres: number | null; bench: number | null; total: number | null; other: number | null };
}

export function cpuUse(a: CpuSnapshot, b: CpuSnapshot, events: number, cores: number): CpuUse {
  const wall = b.at - a.at;
  const d = (x: number | null, y: number | null) => (x === null || y === null ? null : y - x);
  const product = d(a.product, b.product);
  const postgres = d(a.postgres, b.postgres);
  const bench = b.bench - a.bench;
  const per = (v: number | null) => (v === null || events <= 0 ? null : v / events);
  const share = (v: number | null) => (v === null || wall <= 0 ? null : v / (wall * cores));
  return {
    perEventMs: { product: per(product), postgres: per(postgres), bench: per(bench) },
    postgresPerEventMs:
      a.postgresProcs && b.postgresProcs && events > 0
        ? Object.fromEntries(Object.entries(postgresByKind(a.postgresProcs, b.postgresProcs)).map(([k, v]) => [k, v / events]))
        : {},
    waitedPerEventMs: {
      product: per(d(a.waited.product, b.waited.product)),
      postgres: per(a.postgresProcs && b.postgresProcs ? postgresWaited(a.postgresProcs, b.postgresProcs) : null),
      bench: per(d(a.waited.bench, b.waited.bench)),
    },
    connectionsKernelPerEventMs: a.postgresProcs && b.postgresProcs && events > 0 ? connectionsInKernel(a.postgresProcs, b.postgresProcs) / events : null,
    coreShare: {
      product: share(product),
      postgres: share(postgres),
      bench: share(bench),
      total: product === null || postgres === null ? null : share(product + postgres + bench),
      /** Everything else on the machine (other programs, the kernel's own work): noise when large. */
      other: product === null || postgres === null || a.machine === null || b.machine === null ? null : share(Math.max(0, b.machine - a.machine - product - postgres - bench)),
    },
  };
}
