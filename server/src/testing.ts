// Test helpers: a fresh database cloned from the migrated template, and a whole Bundles started on it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { configFromEnv, type Config } from './config.js';
import { startBundles, type Bundles } from './start.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `postgres://…/` of the test run's PostgreSQL (see tests/support/global-setup.ts). */
    pgBaseUrl: string;
    /** The migrated template database each test file clones. */
    pgTemplate: string;
  }
}

/** Creates a database of its own for one test file; `base` ends with '/'. */
export async function createTestDatabase(base: string, template: string): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base + 'postgres' });
  await admin.connect();
  try {
    // Cloning needs the template to have no sessions; retry briefly if another file is cloning too.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database "${name}" template "${template}"`);
        break;
      } catch (err) {
        if (attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await admin.end();
  }
  return base + name;
}

export interface TestBundles extends Bundles {
  dataDir: string;
  /** The API token of the owner created by `setup`. */
  token: string;
  /** `app.inject` with the owner's token. */
  api(method: string, url: string, body?: unknown): Promise<{ status: number; body: any; headers: Record<string, unknown> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export const testSecretKey = 'a'.repeat(64);

export async function startTestBundles(
  databaseUrl: string,
  overrides: Partial<Config> & { logDestination?: NodeJS.WritableStream; setup?: boolean } = {},
): Promise<TestBundles> {
  const dataDir = overrides.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-test-'));
  const { logDestination, setup = true, ...configOverrides } = overrides;
  const config: Config = {
    ...configFromEnv({}, 'all'),
    port: 0,
    dataDir,
    databaseUrl,
    secretKey: testSecretKey,
    logLevel: logDestination ? 'debug' : 'silent',
    workerConcurrency: 4,
    heartbeatMs: 500,
    workerStaleMs: 3000,
    // The fakes listen on loopback: allowed as an operator would allow a local service.
    allowedHosts: ['127.0.0.1', 'localhost', '::1'],
    ...configOverrides,
  };
  const logger = pino({ level: config.logLevel }, logDestination ?? process.stdout);
  const bundles = (await startBundles(config, logger)) as TestBundles;
  bundles.dataDir = dataDir;
  bundles.api = async (method, url, body) => {
    const res = await bundles.app!.inject({
      method: method as 'GET',
      url,
      headers: bundles.token ? { authorization: `Bearer ${bundles.token}` } : {},
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    let parsed: unknown = res.body;
    try {
      parsed = res.body ? JSON.parse(res.body) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.statusCode, body: parsed, headers: res.headers };
  };
  bundles.token = '';
  if (setup && bundles.app) {
    const res = await bundles.api('POST', '/api/setup', { email: 'owner@example.com', password: 'correct horse battery' });
    bundles.token = res.body.token;
  }
  return bundles;
}
export { ingestStatementsInFlight } from './runtime/ingest.js';
export { takeSend } from './runtime/send-cap.js';

/** Adds a user with a role in a workspace (straight into the tables, for tests of other workspaces and roles). */
export async function addTestMember(pool: pg.Pool, workspaceId: string, email: string, role: 'viewer' | 'editor' | 'admin' | 'owner' = 'owner'): Promise<string> {
  const user = await pool.query<{ id: string }>(
    `insert into users (email, password_hash, last_workspace_id) values ($1, 'x', $2) on conflict (email) do update set email = excluded.email returning id`,
    [email, workspaceId],
  );
  const userId = user.rows[0]!.id;
  await pool.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, $3) on conflict (workspace_id, user_id) do update set role = excluded.role`, [workspaceId, userId, role]);
  return userId;
}
export { createApiToken } from './services/tokens.js';
