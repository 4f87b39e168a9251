// The short chaos run (tests/chaos/run.ts --short) as a test: in both rounds (a --role all process SIGKILLed
// and PostgreSQL restarted; one of two workers SIGKILLed) every acknowledged event's side effects reach the
// fakes, none twice, and each fault hit what it should and the product recovered.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTs, type Child } from '../bench/procs.js';
import type { RoundResult as Round } from './ledger.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, 'bench-results', 'chaos-short.json');
let chaos: Child | undefined;

afterAll(async () => {
  // SIGTERM: the script stops what it started, then exits.
  await chaos?.stop(20_000);
});

describe('chaos (short)', () => {
  it('loses and doubles nothing when processes are SIGKILLed and PostgreSQL restarts under load', async () => {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.rmSync(out, { force: true });
    chaos = spawnTs({ name: 'chaos', script: 'tests/chaos/run.ts', args: ['--short', '--out', out], cwd: root, env: process.env, logFile: path.join(root, 'bench-results', 'chaos-short.log') });
    const exit = await chaos.exited;
    const output = chaos.tail(60);
    expect(fs.existsSync(out), `no figures written (exit ${exit}):\n${output}`).toBe(true);
    const { rounds } = JSON.parse(fs.readFileSync(out, 'utf8')) as { rounds: Round[] };
    expect(rounds.map((r) => r.name)).toEqual(['all', 'workers']);

    for (const r of rounds) {
      const why = `round ${r.name}: ${JSON.stringify({ problems: r.problems, evidence: r.evidence }, null, 2)}\n${output}`;
      expect(r.acknowledged, why).toBeGreaterThan(0);
      expect(r.expected, why).toBeGreaterThan(0);
      expect(r.lost, why).toBe(0);
      expect(r.doubled, why).toBe(0);
      expect(r.doubledUncertain, why).toBe(0);
      expect(r.unsettled, why).toBe(0);
      expect(r.gaveUp, why).toBe(0);
      // Delivered or uncertain: every owed side effect is one or the other.
      expect(r.delivered, why).toBeLessThanOrEqual(r.expected);
      expect(r.expected - r.delivered, why).toBeLessThanOrEqual(r.uncertain);
      for (const f of r.faults) expect(f.ok, `${r.name}: ${f.what}: ${f.detail}`).toBe(true);
      expect(r.problems, why).toEqual([]);
    }

    const [all, workers] = rounds as [Round, Round];
    expect(all.faults.map((f) => f.what)).toEqual(['SIGKILL the --role all process', 'restart PostgreSQL (down 1 s)']);
    expect(all.faults[0]!.killed).toEqual({ name: 'all-1', exit: 'SIGKILL' });
    expect(all.faults[0]!.recoveredS).toBeGreaterThan(0);
    expect(all.faults[1]!.recoveredS, all.faults[1]!.detail).toBeGreaterThan(0);
    expect(workers.faults.map((f) => f.killed)).toEqual([{ name: 'worker-1', exit: 'SIGKILL' }]);
    expect(exit, output).toBe(0);
  }, 240_000);
});
