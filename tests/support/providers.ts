// Helpers for the providers' end-to-end tests: a Bundles per file, connections pointed at the fakes,
// flows created and started through the API, webhooks posted over real HTTP, runs awaited.
import { expect, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import type { FakeRetailcrm } from '../fakes/retailcrm.js';
import type { FakeTokopedia } from '../fakes/tokopedia.js';
import type { FakeTwilio } from '../fakes/twilio.js';
import type { FakeWhatsApp } from '../fakes/whatsapp.js';
import { waitFor } from './wait.js';

/** Typed views of the API's answers, as far as the tests read them. */
export interface ApiConnection {
  id: string;
  provider: string;
  name: string;
  config: Record<string, unknown>;
  secretsSet: string[];
  webhookUrl: string | null;
  status: 'untested' | 'ok' | 'broken';
  lastTest: { ok: boolean; message: string; at: string } | null;
}
export interface ApiStep {
  nodeId: string;
  nodeType: string;
  status: string;
  input: unknown;
  output: unknown;
  error: { code?: string | number; message: string; retryable?: boolean; provider?: string; ambiguous?: boolean } | null;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  resolution: 'marked_done' | 'sent_again' | null;
  handle?: string | null;
}
export interface ApiRun {
  id: string;
  flowId: string;
  eventId: string | null;
  status: string;
  error: { code?: string | number; message: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}
export interface ApiRunDetail extends ApiRun {
  trigger: unknown;
  steps: ApiStep[];
}
export interface ApiEvent {
  id: string;
  connectionId: string;
  type: string;
  dedupeKey: string;
  payload: Record<string, unknown>;
  duplicates: number;
}
export interface ApiDelivery {
  id: string;
  outcome: 'accepted' | 'duplicate' | 'rejected';
  reason: string | null;
  eventIds: string[];
  events: Array<{ id: string; type: string; payload: unknown }>;
  body: unknown;
}
export interface ApiMessage {
  id: string;
  provider: string;
  connectionId: string;
  direction: 'inbound' | 'outbound';
  channel: string;
  from: string | null;
  to: string | null;
  text: string | null;
  providerMessageId: string | null;
  status: string;
  error: { code?: string | number; message: string } | null;
  conversationKey: string | null;
  runId: string | null;
  flowId?: string | null;
  createdAt: string;
}

export interface FlowNode {
  id: string;
  type: string;
  connectionId?: string;
  config: Record<string, unknown>;
}

/** A whole Bundles on a fresh database of its own (one per test file). */
export async function startProviderBundles(overrides: Parameters<typeof startTestBundles>[1] = {}): Promise<TestBundles> {
  return startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), overrides);
}

export async function createConnection(b: TestBundles, provider: string, name: string, config: Record<string, unknown>): Promise<ApiConnection> {
  const res = await b.api('POST', '/api/connections', { provider, name, config });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as ApiConnection;
}

// Connection configs pointing at the fakes.
export const whatsappAppSecret = 'meta-app-secret-0001';
export const tokopediaWebhookSecret = 'tkpd-webhook-secret-0001';

export const whatsappConfig = (fake: FakeWhatsApp) => ({
  accessToken: fake.accessToken,
  appSecret: whatsappAppSecret,
  verifyToken: 'verify-me',
  phoneNumberId: fake.phoneNumbers[0]!.id,
  baseUrl: fake.url,
});
export const retailcrmConfig = (fake: FakeRetailcrm) => ({
  domain: 'myshop.retailcrm.ru',
  apiKey: fake.apiKey,
  site: fake.sites[0],
  mgToken: fake.mgToken,
  baseUrl: fake.url,
  mgBaseUrl: fake.url,
});
export const tokopediaConfig = (fake: FakeTokopedia) => ({
  fsId: fake.fsId,
  clientId: fake.clientId,
  clientSecret: fake.clientSecret,
  shopId: fake.shopId,
  webhookSecret: tokopediaWebhookSecret,
  authUrl: fake.url,
  baseUrl: fake.url,
});
export const twilioConfig = (fake: FakeTwilio) => ({ accountSid: fake.accountSid, authToken: fake.authToken, baseUrl: fake.url });

/** Creates a flow whose nodes run in the given order (one chain) and starts it. */
export async function startChainFlow(b: TestBundles, name: string, nodes: FlowNode[]): Promise<string> {
  const graph = {
    nodes: nodes.map((n, i) => ({ ...n, position: { x: i * 300, y: 0 } })),
    edges: nodes.slice(1).map((n, i) => ({ source: nodes[i]!.id, target: n.id })),
  };
  const flow = await b.api('POST', '/api/flows', { name, graph });
  expect(flow.status, JSON.stringify(flow.body)).toBe(201);
  const started = await b.api('POST', `/api/flows/${flow.body.id}/start`);
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  return flow.body.id as string;
}

export async function listRuns(b: TestBundles, flowId: string): Promise<ApiRun[]> {
  const res = await b.api('GET', `/api/runs?flowId=${flowId}`);
  expect(res.status).toBe(200);
  return res.body.items as ApiRun[];
}

/** Run statuses a run does not leave by itself (an uncertain run waits for a person). */
const finished = new Set(['succeeded', 'failed', 'filtered', 'uncertain']);

/** Waits until the flow has `count` runs, all finished, and returns their details (oldest first). */
export async function waitForFinishedRuns(b: TestBundles, flowId: string, count = 1, timeoutMs = 15_000): Promise<ApiRunDetail[]> {
  const runs = await waitFor(
    `${count} finished run(s) of flow ${flowId}`,
    async () => {
      const list = await listRuns(b, flowId);
      return list.length >= count && list.every((r) => finished.has(r.status)) ? list : null;
    },
    timeoutMs,
  );
  const details: ApiRunDetail[] = [];
  for (const r of [...runs].reverse()) details.push(await runDetail(b, r.id));
  return details;
}

export async function runDetail(b: TestBundles, id: string): Promise<ApiRunDetail> {
  const res = await b.api('GET', `/api/runs/${id}`);
  expect(res.status).toBe(200);
  return res.body as ApiRunDetail;
}

/** `nodeId:status` of each step in order, for one readable assertion. */
export const stepStates = (run: ApiRunDetail) => run.steps.map((s) => `${s.nodeId}:${s.status}`);

export function stepOf(run: ApiRunDetail, nodeId: string): ApiStep {
  const step = run.steps.find((s) => s.nodeId === nodeId);
  if (!step) throw new Error(`run ${run.id} has no step ${nodeId}: ${stepStates(run).join(', ')}`);
  return step;
}

export async function events(b: TestBundles, connectionId: string): Promise<ApiEvent[]> {
  const res = await b.api('GET', `/api/events?connectionId=${connectionId}`);
  expect(res.status).toBe(200);
  return res.body as ApiEvent[];
}

export async function deliveries(b: TestBundles, connectionId: string): Promise<ApiDelivery[]> {
  const res = await b.api('GET', `/api/connections/${connectionId}/deliveries`);
  expect(res.status).toBe(200);
  return res.body as ApiDelivery[];
}

export async function messages(b: TestBundles, query: Record<string, string>): Promise<ApiMessage[]> {
  const res = await b.api('GET', `/api/messages?${new URLSearchParams(query)}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as ApiMessage[];
}

/** POSTs a raw body to a webhook URL over real HTTP. */
export async function postHook(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; contentType: string; body: string }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** POSTs JSON to a webhook URL over real HTTP. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string; body: string }> {
  return postHook(url, { 'content-type': 'application/json', ...headers }, JSON.stringify(body));
}

/** The jobs that would continue a run (none once it has settled), with when they run. */
export async function jobsOf(b: TestBundles, runId: string): Promise<Array<{ runAt: Date; locked: boolean }>> {
  const { rows } = await b.database.pool.query(`select run_at, locked_at is not null as locked from graphile_worker._private_jobs where payload->>'runId' = $1`, [runId]);
  return rows.map((r) => ({ runAt: r.run_at as Date, locked: r.locked as boolean }));
}
