// core.for_each end to end: the steps after "item" run once per element with {{ item }} and {{ index }},
// each element's steps stored as their own steps; a failing or filtered element ends there and the others go
// on; "done" continues once with the counts; over "At most" the step fails with the reason; the draft
// problems of a loop drawn wrong. (tests/crash/for-each-crash.test.ts kills a loop in the middle.)
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { startSink, type Sink } from '../support/sink.js';
import { waitFor } from '../support/wait.js';

let b: TestBundles;
let sink: Sink;

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  sink = await startSink();
});
afterAll(async () => {
  await b?.close();
  await sink?.close();
});

type Node = { id: string; type: string; config: Record<string, unknown> };
type Edge = { source: string; target: string; sourceHandle?: string };
type Step = { nodeId: string; status: string; output: unknown; error: { code: string; message: string } | null };

async function loopBundle(name: string, nodes: Node[], edges: Edge[]) {
  const conn = await b.api('POST', '/api/connections', { provider: 'webhook', name: `${name} hook`, config: {} });
  const graph = { nodes: [{ id: 'trigger', type: 'core.webhook', connectionId: conn.body.id, config: {} }, ...nodes], edges };
  const flow = await b.api('POST', '/api/flows', { name, graph });
  expect(flow.status, JSON.stringify(flow.body)).toBe(201);
  const started = await b.api('POST', `/api/flows/${flow.body.id}/start`);
  return { flowId: flow.body.id as string, started, send: (body: unknown) => fetch(conn.body.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) };
}

async function finished(flowId: string) {
  const run = await waitFor('the run to finish', async () => {
    const [r] = (await b.api('GET', `/api/runs?flowId=${flowId}`)).body.items;
    return r && !['queued', 'running', 'waiting'].includes(r.status) ? r : null;
  });
  return (await b.api('GET', `/api/runs/${run.id}`)).body as { id: string; status: string; steps: Step[] };
}

const posts = (path: string) => sink.requests.filter((r) => r.url === path).map((r) => JSON.parse(r.body) as Record<string, unknown>);

describe('core.for_each', () => {
  it('runs the item steps once per element, ends a failing or filtered element alone, then goes on from done once', async () => {
    const { flowId, started, send } = await loopBundle(
      'Each line',
      [
        { id: 'lines', type: 'core.for_each', config: { items: '{{ trigger.body.lines }}' } },
        { id: 'in_stock', type: 'core.filter', config: { mode: 'all', conditions: [{ left: '{{ item.qty }}', op: 'gt', right: 0 }] } },
        { id: 'check', type: 'core.code', config: { input: { sku: '{{ item.sku }}' }, code: "if (input.sku === 'BAD') throw new Error('unknown sku ' + input.sku); return input.sku.toLowerCase();" } },
        { id: 'reserve', type: 'core.http_request', config: { url: `${sink.url}/reserve`, method: 'POST', body: { sku: '{{ steps.check.result }}', line: '{{ index }}' } } },
        { id: 'report', type: 'core.http_request', config: { url: `${sink.url}/report`, method: 'POST', body: { count: '{{ steps.lines.count }}', failed: '{{ steps.lines.failed }}' } } },
      ],
      [
        { source: 'trigger', target: 'lines' },
        { source: 'lines', target: 'in_stock', sourceHandle: 'item' },
        { source: 'in_stock', target: 'check' },
        { source: 'check', target: 'reserve' },
        { source: 'lines', target: 'report', sourceHandle: 'done' },
      ],
    );
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    await send({ lines: [{ sku: 'A1', qty: 2 }, { sku: 'BAD', qty: 1 }, { sku: 'C3', qty: 0 }, { sku: 'D4', qty: 5 }] });
    const run = await finished(flowId);
    expect(run.status).toBe('succeeded');
    expect(posts('/reserve')).toEqual([
      { sku: 'a1', line: 0 },
      { sku: 'd4', line: 3 },
    ]);
    expect(posts('/report')).toEqual([{ count: 4, failed: 1 }]);
    const loop = run.steps.find((s) => s.nodeId === 'lines')!;
    expect(loop.output).toEqual({
      count: 4,
      succeeded: 3,
      failed: 1,
      elements: [
        { index: 0, status: 'succeeded' },
        { index: 1, status: 'failed', error: { code: 'code_error', message: expect.stringContaining('unknown sku BAD') } },
        { index: 2, status: 'filtered' },
        { index: 3, status: 'succeeded' },
      ],
    });
    // Each element's steps are steps of their own.
    const ids = run.steps.map((s) => s.nodeId);
    expect(ids).toEqual(expect.arrayContaining(['in_stock[0]', 'check[0]', 'reserve[0]', 'check[1]', 'in_stock[2]', 'reserve[3]', 'report']));
    expect(ids).not.toContain('reserve[1]');
    expect(ids).not.toContain('check[2]');
    expect(run.steps.find((s) => s.nodeId === 'check[1]')).toMatchObject({ status: 'failed', error: { code: 'code_error' } });

    // Tested before going live, the loop runs the same way in memory, its writes stubbed.
    const reservedBefore = posts('/reserve').length;
    const test = await b.api('POST', `/api/flows/${flowId}/test`, { payload: { body: { lines: [{ sku: 'Z9', qty: 1 }] }, headers: {}, query: {} } });
    expect(test.status, JSON.stringify(test.body)).toBe(200);
    expect(test.body.status).toBe('succeeded');
    const testSteps = test.body.steps as Array<{ nodeId: string; stubbed: boolean; output: unknown }>;
    expect(testSteps.map((t) => t.nodeId)).toEqual(['trigger', 'in_stock[0]', 'check[0]', 'reserve[0]', 'lines', 'report']);
    expect(testSteps.find((t) => t.nodeId === 'reserve[0]')?.stubbed).toBe(true);
    expect(testSteps.find((t) => t.nodeId === 'lines')?.output).toMatchObject({ count: 1, succeeded: 1, failed: 0 });
    expect(posts('/reserve')).toHaveLength(reservedBefore);
  });

  it('runs at most "Items at once" elements side by side, and waits for them all before done', async () => {
    const { flowId, send } = await loopBundle(
      'Five at once',
      [
        { id: 'each', type: 'core.for_each', config: { items: '{{ trigger.body.items }}', concurrency: 5 } },
        { id: 'post', type: 'core.http_request', config: { url: `${sink.url}/slow`, method: 'POST', body: { i: '{{ index }}' } } },
        { id: 'after', type: 'core.http_request', config: { url: `${sink.url}/slow-done`, method: 'POST', body: { count: '{{ steps.each.succeeded }}' } } },
      ],
      [
        { source: 'trigger', target: 'each' },
        { source: 'each', target: 'post', sourceHandle: 'item' },
        { source: 'each', target: 'after', sourceHandle: 'done' },
      ],
    );
    // Each call is answered only when its gate opens.
    const gates = Array.from({ length: 12 }, () => {
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      return { gate, open };
    });
    sink.script.push(...gates.map((g) => ({ status: 200, gate: g.gate })));
    const arrived = () => posts('/slow').length;
    await send({ items: Array.from({ length: 12 }, (_, i) => i) });
    await waitFor('five calls in flight', async () => arrived() >= 5 || null);
    for (let k = 0; k < 7; k++) {
      // One answer frees one place: exactly one more call comes (a sixth in flight would already be here).
      gates[k]!.open();
      await waitFor(`call ${6 + k}`, async () => arrived() >= 6 + k || null);
      expect(arrived()).toBe(6 + k);
    }
    for (const g of gates.slice(7)) g.open();
    const run = await finished(flowId);
    expect(run.status).toBe('succeeded');
    expect(posts('/slow').map((p) => p.i).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(posts('/slow-done')).toEqual([{ count: 12 }]);
    expect((run.steps.find((s) => s.nodeId === 'each')!.output as { elements: Array<{ index: number }> }).elements.map((e) => e.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('waits (holding no worker) for a delay in the item steps, and comes back to each element after it', async () => {
    const { flowId, send } = await loopBundle(
      'Wait per item',
      [
        { id: 'each', type: 'core.for_each', config: { items: '{{ trigger.body.items }}', concurrency: 3 } },
        { id: 'pause', type: 'core.delay', config: { seconds: 1 } },
        { id: 'post', type: 'core.http_request', config: { url: `${sink.url}/after-pause`, method: 'POST', body: { i: '{{ item }}' } } },
      ],
      [
        { source: 'trigger', target: 'each' },
        { source: 'each', target: 'pause', sourceHandle: 'item' },
        { source: 'pause', target: 'post' },
      ],
    );
    await send({ items: ['a', 'b', 'c'] });
    await waitFor('the run to wait', async () => ((await b.api('GET', `/api/runs?flowId=${flowId}`)).body.items[0]?.status === 'waiting') || null);
    const run = await finished(flowId);
    expect(run.status).toBe('succeeded');
    expect(posts('/after-pause').map((p) => p.i).sort()).toEqual(['a', 'b', 'c']);
    expect(run.steps.filter((s) => s.nodeId.startsWith('pause[')).map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('fails the step with the reason when the list is longer than At most', async () => {
    const { flowId, send } = await loopBundle(
      'Too many',
      [
        { id: 'each', type: 'core.for_each', config: { items: '{{ trigger.body.items }}', max: 3 } },
        { id: 'post', type: 'core.http_request', config: { url: `${sink.url}/too-many`, method: 'POST' } },
      ],
      [
        { source: 'trigger', target: 'each' },
        { source: 'each', target: 'post', sourceHandle: 'item' },
      ],
    );
    await send({ items: [1, 2, 3, 4] });
    const run = await finished(flowId);
    expect(run.status).toBe('failed');
    expect(run.steps.find((s) => s.nodeId === 'each')!.error).toMatchObject({ code: 'too_many_items', message: 'The list has 4 items, over the limit of 3 (“At most”).' });
    expect(posts('/too-many')).toEqual([]);
  });

  it('refuses on Start a loop drawn wrong, naming the node', async () => {
    const { started } = await loopBundle(
      'Drawn wrong',
      [
        { id: 'each', type: 'core.for_each', config: { items: '{{ trigger.body.items }}' } },
        { id: 'per_item', type: 'core.set', config: { fields: { sku: '{{ item.sku }}' } } },
        { id: 'after', type: 'core.set', config: { fields: { last: '{{ steps.per_item.sku }}', stray: '{{ item }}' } } },
      ],
      [
        { source: 'trigger', target: 'each' },
        { source: 'each', target: 'per_item', sourceHandle: 'item' },
        { source: 'each', target: 'after', sourceHandle: 'done' },
      ],
    );
    expect(started.status).toBe(422);
    const messages = (started.body.error.details.issues as Array<{ nodeId: string; message: string }>).filter((i) => i.nodeId === 'after').map((i) => i.message);
    expect(messages).toEqual([
      expect.stringContaining('"per_item" runs once per item of "each"'),
      expect.stringContaining('there is an item only in the steps after a for-each'),
    ]);
  });
});
