// core.code through real runs: a shop's webhook starts a bundle whose code step reshapes the order for the
// next step, and one whose code loops forever is stopped at its time limit with a clear error, its console
// lines kept; the runner stays free for the next run. Templates in the code are refused on start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { createConnection, postJson, startChainFlow, startProviderBundles, stepOf, waitForFinishedRuns, type FlowNode } from '../support/providers.js';

let b: TestBundles;

beforeAll(async () => {
  b = await startProviderBundles();
});
afterAll(async () => {
  await b?.close();
});

let flows = 0;
async function hookFlow(nodes: FlowNode[]): Promise<{ flowId: string; url: string }> {
  const conn = await createConnection(b, 'webhook', `Shop hook ${++flows}`, {});
  const flowId = await startChainFlow(b, `Code ${flows}`, [{ id: 'trigger', type: 'core.webhook', connectionId: conn.id, config: {} }, ...nodes]);
  return { flowId, url: conn.webhookUrl! };
}

async function runOnce(nodes: FlowNode[], body: unknown) {
  const { flowId, url } = await hookFlow(nodes);
  expect((await postJson(url, body)).status).toBe(200);
  const [run] = await waitForFinishedRuns(b, flowId, 1);
  return run!;
}

const paidOrder = { order: { id: 5001, status: 'paid', customer: { firstName: 'Ana', phone: '+55 (11) 99876-5432' } } };

describe('core.code in a run', () => {
  it('a code step that loops forever is stopped at its limit with a clear error, and its console lines are kept', async () => {
    const started = Date.now();
    const run = await runOnce(
      [
        { id: 'code', type: 'core.code', config: { input: { orderId: '{{ trigger.body.order.id }}' }, code: 'console.log("order", input.orderId);\nwhile (true) {}', timeoutMs: 200 } },
        { id: 'after', type: 'core.set', config: { fields: { never: 'reached' } } },
      ],
      paidOrder,
    );
    expect(run.status).toBe('failed');
    const step = stepOf(run, 'code');
    expect(step.status).toBe('failed');
    expect(step.error).toMatchObject({ code: 'code_timeout', retryable: false, message: 'The code was stopped after 200 ms, its time limit: look for a loop that never ends, or raise the time limit' });
    // Not retried: the same code would loop again.
    expect(step.attempts).toBe(1);
    expect(step.input).toMatchObject({ input: { orderId: 5001 }, timeoutMs: 200 });
    expect(step.output).toEqual({ logs: ['order 5001'] });
    expect(run.error?.message).toBe('code: The code was stopped after 200 ms, its time limit: look for a loop that never ends, or raise the time limit');
    expect(run.steps.map((s) => s.nodeId)).not.toContain('after');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a code step reshapes the order and the next step maps its result', async () => {
    const run = await runOnce(
      [
        {
          id: 'shape',
          type: 'core.code',
          config: {
            input: { phone: '{{ trigger.body.order.customer.phone }}', name: '{{ trigger.body.order.customer.firstName }}' },
            code: 'const phone = input.phone.replace(/[^0-9+]/g, "");\nconsole.log("normalised", phone);\nreturn { phone, greeting: `Olá ${input.name}` };',
          },
        },
        { id: 'sms_fields', type: 'core.set', config: { fields: { to: '{{ steps.shape.result.phone }}', text: '{{ steps.shape.result.greeting }}, pedido pago' } } },
      ],
      paidOrder,
    );
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(stepOf(run, 'shape').output).toEqual({ result: { phone: '+5511998765432', greeting: 'Olá Ana' }, logs: ['normalised +5511998765432'] });
    expect(stepOf(run, 'sms_fields').output).toEqual({ to: '+5511998765432', text: 'Olá Ana, pedido pago' });
  });

  it('an error names the line and column of the author’s code', async () => {
    const run = await runOnce([{ id: 'code', type: 'core.code', config: { input: { order: '{{ trigger.body.order }}' }, code: 'const coupon = input.order.coupon;\nreturn coupon.code;' } }], paidOrder);
    expect(run.status).toBe('failed');
    expect(stepOf(run, 'code').error).toMatchObject({ code: 'code_error', message: "TypeError: cannot read property 'code' of undefined at line 2, column 14" });
  });

  it('testing a draft runs the code (it writes nothing), and a failed code step keeps its console lines there too', async () => {
    const conn = await createConnection(b, 'webhook', 'Shop hook draft', {});
    const graph = {
      nodes: [
        { id: 'trigger', type: 'core.webhook', connectionId: conn.id, config: {}, position: { x: 0, y: 0 } },
        { id: 'code', type: 'core.code', config: { input: { id: '{{ trigger.body.order.id }}' }, code: 'console.log("got", input.id);\nif (input.id > 5000) throw new Error("too new");\nreturn input.id;' }, position: { x: 300, y: 0 } },
      ],
      edges: [{ source: 'trigger', target: 'code' }],
    };
    const flow = await b.api('POST', '/api/flows', { name: 'Draft with code', graph });
    expect(flow.status).toBe(201);
    const failed = await b.api('POST', `/api/flows/${flow.body.id}/test`, { payload: { body: paidOrder } });
    expect(failed.status, JSON.stringify(failed.body)).toBe(200);
    const step = failed.body.steps.find((s: { nodeId: string }) => s.nodeId === 'code');
    expect(step).toMatchObject({ status: 'failed', error: { code: 'code_error', message: 'Error: too new at line 2, column 37' }, output: { logs: ['got 5001'] } });
    const passed = await b.api('POST', `/api/flows/${flow.body.id}/test`, { payload: { body: { order: { id: 17 } } } });
    expect(passed.body.steps.find((s: { nodeId: string }) => s.nodeId === 'code')).toMatchObject({ status: 'succeeded', stubbed: false, output: { result: 17, logs: ['got 17'] } });
  });

  it('a template inside the code is refused on start: values come in through input', async () => {
    const conn = await createConnection(b, 'webhook', 'Shop hook refused', {});
    const graph = {
      nodes: [
        { id: 'trigger', type: 'core.webhook', connectionId: conn.id, config: {}, position: { x: 0, y: 0 } },
        { id: 'code', type: 'core.code', config: { code: 'return "{{ trigger.body.order.id }}";' }, position: { x: 300, y: 0 } },
      ],
      edges: [{ source: 'trigger', target: 'code' }],
    };
    const flow = await b.api('POST', '/api/flows', { name: 'Template in code', graph });
    expect(flow.status).toBe(201);
    const started = await b.api('POST', `/api/flows/${flow.body.id}/start`);
    expect(started.status).toBe(422);
    expect(JSON.stringify(started.body)).toContain('the code cannot hold {{ … }} or {% … %}: map the value into Input and read it as input.<name>');
  });
});
