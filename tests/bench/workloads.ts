// The bench's workloads (BENCH.md's W1, and W2 of issue 12): the bundle each sets up through the API,
// the webhook bodies the load client sends, how the fakes recognise an event's calls, and what the
// ceiling server does for the same event. An event "delivered" = every call it must make arrived.
import { guruFixtureToken, guruTransactionBody } from '../fakes/guru.js';
import type { FakeTwilio, FormParams } from '../fakes/twilio.js';
import { AllOf, startCrmFake, type CountingFake } from './crm-fake.js';
import { retailcrmForm, type Encoder } from './load.js';

export type WorkloadName = 'w1' | 'w2';

export interface Api {
  <T = any>(method: string, url: string, body?: unknown): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A workload's fakes, started before the product and the ceiling server. */
export interface Started {
  /** What counts deliveries: the fake Twilio alone (W1), or it and the CRM together (W2). */
  source: Pick<CountingFake, 'messages' | 'deliveries'> & { update?(): void };
  /** Env of the ceiling server for this workload. */
  ceilingEnv: Record<string, string>;
  /** Creates the connections and the bundle through the API; answers the trigger's webhook URL. */
  configure(api: Api): Promise<{ flowId: string; webhookUrl: string }>;
  close(): Promise<void>;
}

export interface Workload {
  name: WorkloadName;
  title: string;
  /** Spells the load client's numbers as this workload's event ids. */
  formatId(n: number): string;
  encode: Encoder;
  /** The event id inside an SMS text the bundle sends (the fake Twilio's key). */
  smsKey(form: FormParams): string;
  start(twilio: FakeTwilio): Promise<Started>;
}

const smsBody = (form: FormParams) => (Array.isArray(form.Body) ? form.Body[0] : form.Body) ?? '';
const twilioConnection = (api: Api, fake: FakeTwilio) =>
  api<{ id: string }>('POST', '/api/connections', {
    provider: 'twilio',
    name: 'Bench Twilio',
    config: { accountSid: fake.accountSid, authToken: fake.authToken, baseUrl: fake.url },
  });

const w1: Workload = {
  name: 'w1',
  title: 'W1 order status → SMS',
  formatId: String,
  encode: retailcrmForm,
  smsKey: (form) => /^Order (\S+) is paid/.exec(smsBody(form))?.[1] ?? `unexpected:${smsBody(form)}`,
  start: async (twilio) => ({ source: twilio, ceilingEnv: { WORKLOAD: 'w1' }, close: async () => {}, configure: (api) => configureW1(api, twilio) }),
};

async function configureW1(api: Api, twilio: FakeTwilio) {
    const shop = await api<{ id: string; webhookUrl: string }>('POST', '/api/connections', {
      provider: 'retailcrm',
      name: 'Bench shop',
      config: { domain: 'bench.retailcrm.ru', apiKey: 'x', baseUrl: 'http://127.0.0.1:9/unused' },
    });
    const sms = await twilioConnection(api, twilio);
    const flow = await api<{ id: string }>('POST', '/api/flows', {
      name: 'W1: order paid → SMS',
      graph: {
        nodes: [
          { id: 'trigger', type: 'retailcrm.order_changed', connectionId: shop.id, config: { events: ['status'], statuses: ['paid'], loadOrder: false }, position: { x: 0, y: 0 } },
          { id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '+15550001111', body: 'Order {{ trigger.id }} is paid. Thank you!' }, position: { x: 300, y: 0 } },
        ],
        edges: [{ source: 'trigger', target: 'sms' }],
      },
    });
    return { flowId: flow.id, webhookUrl: shop.webhookUrl };
}

/** Guru transaction ids are UUIDs: the number goes into the last group. */
const guruId = (n: number) => `9c3f4e2a-6b1d-4f7e-9a52-${String(n).padStart(12, '0')}`;

const w2: Workload = {
  name: 'w2',
  title: 'W2 Guru sale → filter → set → SMS + CRM',
  formatId: guruId,
  // Every trigger fires (no status filter on it): the filter step decides, as the W2 has it.
  encode: (id, paid) => ({ contentType: 'application/json', body: JSON.stringify(guruTransactionBody({ id, status: paid ? 'approved' : 'waiting_payment' })) }),
  smsKey: (form) => /^Pedido (\S+) aprovado/.exec(smsBody(form))?.[1] ?? `unexpected:${smsBody(form)}`,
  async start(twilio) {
    const crm = await startCrmFake();
    return { source: new AllOf([twilio, crm]), ceilingEnv: { WORKLOAD: 'w2', CRM_URL: crm.url }, close: () => crm.close(), configure: (api) => configureW2(api, twilio, crm) };
  },
};

async function configureW2(api: Api, twilio: FakeTwilio, crm: CountingFake) {
    const guru = await api<{ id: string; webhookUrl: string }>('POST', '/api/connections', { provider: 'guru', name: 'Bench Guru', config: { apiToken: guruFixtureToken } });
    const sms = await twilioConnection(api, twilio);
    const flow = await api<{ id: string }>('POST', '/api/flows', {
      name: 'W2: Guru sale approved → SMS + CRM',
      graph: {
        nodes: [
          { id: 'trigger', type: 'guru.transaction_status_changed', connectionId: guru.id, config: { statuses: [], productIds: [] }, position: { x: 0, y: 0 } },
          { id: 'approved', type: 'core.filter', config: { mode: 'all', conditions: [{ left: '{{ trigger.status }}', op: 'eq', right: 'approved' }] }, position: { x: 250, y: 0 } },
          {
            id: 'message',
            type: 'core.set',
            config: { fields: { text: 'Pedido {{ trigger.id }} aprovado: {{ trigger.product.name }}. Obrigado, {{ trigger.contact.firstName }}!', total: '{{ trigger.payment.total }}' } },
            position: { x: 500, y: 0 },
          },
          { id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '{{ trigger.contact.phone }}', body: '{{ steps.message.text }}' }, position: { x: 750, y: -100 } },
          {
            id: 'crm',
            type: 'core.http_request',
            config: { method: 'POST', url: `${crm.url}/orders`, body: { orderId: '{{ trigger.id }}', email: '{{ trigger.contact.email }}', total: '{{ steps.message.total }}', product: '{{ trigger.product.id }}' } },
            position: { x: 750, y: 100 },
          },
        ],
        edges: [
          { source: 'trigger', target: 'approved' },
          { source: 'approved', target: 'message' },
          { source: 'message', target: 'sms' },
          { source: 'message', target: 'crm' },
        ],
      },
    });
    return { flowId: flow.id, webhookUrl: guru.webhookUrl };
}
export const workloads: Record<WorkloadName, Workload> = { w1, w2 };
