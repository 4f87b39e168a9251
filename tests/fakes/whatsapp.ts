// A fake WhatsApp Cloud API (Graph: send messages, read a phone number, list message templates) on 127.0.0.1, faithful to
// PROVIDERS.md, plus builders of signed webhook deliveries as Meta sends them.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { listTemplatesPage, storeTemplates, type FakeWhatsAppTemplate, type StoredTemplate } from './whatsapp-templates.js';

export type { FakeWhatsAppTemplate } from './whatsapp-templates.js';

export interface FakeWhatsAppRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: unknown;
  at: number;
  receivedAt: number;
}

export interface FakeWhatsAppMessage {
  id: string;
  phoneNumberId: string;
  to: string;
  type: string;
  /** The JSON body as received. */
  body: Record<string, unknown>;
  key: string;
  at: number;
  receivedAt: number;
}

export interface FakeWhatsAppFailure {
  /** Graph error code; default 130429. */
  code?: number;
  /** HTTP status; Graph answers most errors with 400 (190: 401). */
  status?: number;
  message?: string;
  details?: string;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  drop?: boolean;
  /** Send the message, then close the socket without an answer: the client cannot know it went out. */
  lostAnswer?: boolean;
  /** Send the message and never answer (the socket stays open until the fake closes). */
  hangAfterCreate?: boolean;
}

export interface FakeWhatsAppPhoneNumber {
  id: string;
  displayPhoneNumber: string;
  verifiedName: string;
}

export interface FakeWhatsAppOptions {
  accessToken?: string;
  phoneNumbers?: FakeWhatsAppPhoneNumber[];
  /** Known templates and their body parameter count: others answer 132001, a wrong count 132000. */
  templates?: Record<string, number>;
  /** The WhatsApp Business Account id whose message templates the fake lists (default 102290129340398). */
  wabaId?: string;
  /** Templates `GET /{version}/{wabaId}/message_templates` lists. */
  messageTemplates?: FakeWhatsAppTemplate[];
  /** Key a delivery is counted under; default `to` + text body or template name + parameters. */
  keyOf?: (body: Record<string, unknown>) => string;
  latencyMs?: number;
  recordRequests?: boolean;
}

export interface FakeWhatsApp {
  url: string;
  accessToken: string;
  phoneNumbers: FakeWhatsAppPhoneNumber[];
  wabaId: string;
  /** The account's message templates, in the order they are listed. */
  messageTemplates: StoredTemplate[];
  /** Replaces the message templates (ids made up where not given). */
  setMessageTemplates(items: FakeWhatsAppTemplate[]): StoredTemplate[];
  requests: FakeWhatsAppRequest[];
  messages: FakeWhatsAppMessage[];
  deliveries: Map<string, number>;
  failNext(n: number, failure?: FakeWhatsAppFailure): void;
  duplicates(): string[];
  setLatency(ms: number): void;
  reset(): void;
  close(): Promise<void>;
}

const knownMessages: Record<number, { message: string; status: number; details?: string }> = {
  100: { message: '(#100) Invalid parameter', status: 400 },
  190: { message: 'Invalid OAuth access token - Cannot parse access token', status: 401 },
  80007: { message: '(#80007) Rate limit issues', status: 400, details: 'The WhatsApp Business Account has reached its rate limit.' },
  130429: { message: '(#130429) Rate limit hit', status: 400, details: 'Cloud API message throughput has been reached.' },
  131047: {
    message: '(#131047) Re-engagement message',
    status: 400,
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  131056: { message: '(#131056) (Business Account, Consumer Account) pair rate limit hit', status: 400, details: 'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.' },
  132000: { message: '(#132000) Number of parameters does not match the expected number of params', status: 400 },
  132001: { message: '(#132001) Template name does not exist in the translation', status: 404 },
};

function graphErrorBody(code: number, message: string, details?: string, type = 'OAuthException') {
  return {
    error: {
      message,
      type,
      code,
      ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}),
      fbtrace_id: 'A' + randomBytes(11).toString('base64url'),
    },
  };
}

export function randomWamid(to: string): string {
  return 'wamid.' + Buffer.concat([Buffer.from(`HBgN${to}FQIAERgS`), randomBytes(12)]).toString('base64');
}

function defaultKey(body: Record<string, unknown>): string {
  const to = String(body.to ?? '');
  if (body.type === 'template') {
    const t = body.template as { name?: string; components?: Array<{ parameters?: Array<{ text?: string }> }> } | undefined;
    return `${to}\n${t?.name ?? ''}:${(t?.components?.[0]?.parameters ?? []).map((p) => p.text).join('|')}`;
  }
  return `${to}\n${(body.text as { body?: string } | undefined)?.body ?? ''}`;
}

export async function startFakeWhatsApp(opts: FakeWhatsAppOptions = {}): Promise<FakeWhatsApp> {
  const accessToken = opts.accessToken ?? 'EAAG' + 'fake0token0for0tests0ZBZCq7';
  const keyOf = opts.keyOf ?? defaultKey;
  const record = opts.recordRequests ?? true;
  let latencyMs = opts.latencyMs ?? 0;
  const failures: FakeWhatsAppFailure[] = [];
  const hanging = new Set<ServerResponse>();

  const fake: FakeWhatsApp = {
    url: '',
    accessToken,
    phoneNumbers: opts.phoneNumbers ?? [{ id: '106540352242922', displayPhoneNumber: '+1 555-078-3881', verifiedName: 'Bundles Store' }],
    wabaId: opts.wabaId ?? '102290129340398',
    messageTemplates: storeTemplates(opts.messageTemplates ?? []),
    setMessageTemplates(items) {
      fake.messageTemplates = storeTemplates(items);
      return fake.messageTemplates;
    },
    requests: [],
    messages: [],
    deliveries: new Map(),
    failNext(n, failure = {}) {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    duplicates() {
      return [...fake.deliveries].filter(([, c]) => c > 1).map(([k]) => k);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    reset() {
      fake.requests.length = 0;
      fake.messages.length = 0;
      fake.deliveries.clear();
      failures.length = 0;
    },
    close: () => new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function sendGraphError(res: ServerResponse, code: number, override: FakeWhatsAppFailure = {}): void {
    const known = knownMessages[code];
    const status = override.status ?? known?.status ?? 400;
    const headers: Record<string, string> = override.retryAfter !== undefined ? { 'retry-after': String(override.retryAfter) } : {};
    send(res, status, graphErrorBody(code, override.message ?? known?.message ?? `(#${code}) Error`, override.details ?? known?.details), headers);
  }

  function invalid(res: ServerResponse, details: string): void {
    sendGraphError(res, 100, { details });
  }

  function createMessage(res: ServerResponse, phoneNumberId: string, body: Record<string, unknown>, at: number, receivedAt: number): void {
    let failure = failures.shift();
    const after = failure?.lostAnswer ? 'lose' : failure?.hangAfterCreate ? 'hang' : null;
    if (after) failure = undefined;
    if (failure) {
      if (failure.drop) {
        res.socket?.destroy();
        return;
      }
      return sendGraphError(res, failure.code ?? 130429, failure);
    }
    if (body.messaging_product !== 'whatsapp') return invalid(res, 'The parameter messaging_product is required.');
    const to = typeof body.to === 'string' ? body.to : '';
    if (!/^\d{7,15}$/.test(to)) return invalid(res, `Invalid parameter: to must be digits, got ${JSON.stringify(body.to)}`);
    const type = typeof body.type === 'string' ? body.type : 'text';
    let status: string | undefined;
    if (type === 'text') {
      const text = body.text as { body?: unknown } | undefined;
      if (typeof text?.body !== 'string' || text.body.length === 0) return invalid(res, 'The parameter text[\'body\'] is required.');
      if (text.body.length > 4096) return invalid(res, 'Param text[\'body\'] must be at most 4096 characters long.');
    } else if (type === 'template') {
      const t = body.template as { name?: unknown; language?: { code?: unknown }; components?: Array<{ type?: string; parameters?: unknown[] }> } | undefined;
      if (typeof t?.name !== 'string') return invalid(res, 'The parameter template[\'name\'] is required.');
      if (typeof t.language?.code !== 'string') return invalid(res, 'The parameter template[\'language\'][\'code\'] is required.');
      if (opts.templates) {
        const expected = opts.templates[t.name];
        if (expected === undefined) return sendGraphError(res, 132001, { details: `template name (${t.name}) does not exist in ${t.language.code}` });
        const given = t.components?.find((c) => c.type === 'body')?.parameters?.length ?? 0;
        if (given !== expected) return sendGraphError(res, 132000, { details: `body: number of localizable_params (${given}) does not match the expected number of params (${expected})` });
      }
      status = 'accepted';
    } else if (!['image', 'audio', 'video', 'document', 'sticker', 'interactive', 'location', 'contacts', 'reaction'].includes(type)) {
      return invalid(res, `Invalid parameter: type ${type}`);
    }
    const id = randomWamid(to);
    const key = keyOf(body);
    fake.messages.push({ id, phoneNumberId, to, type, body, key, at, receivedAt });
    fake.deliveries.set(key, (fake.deliveries.get(key) ?? 0) + 1);
    if (after === 'lose') return void res.socket?.destroy();
    if (after === 'hang') return void hanging.add(res);
    send(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to }],
      messages: [{ id, ...(status ? { message_status: status } : {}) }],
    });
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const at = performance.now();
    const receivedAt = Date.now();
    const url = new URL(req.url!, 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    let body: unknown = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    if (record) fake.requests.push({ method: req.method!, path: url.pathname, query, headers: req.headers, body, at, receivedAt });
    const auth = req.headers.authorization ?? (query.access_token ? `Bearer ${query.access_token}` : undefined);
    if (auth !== `Bearer ${accessToken}`) return sendGraphError(res, 190);
    const tm = /^\/(v\d+\.\d+)\/(\d+)\/message_templates$/.exec(url.pathname);
    if (tm && req.method === 'GET') {
      if (tm[2] !== fake.wabaId) {
        return send(res, 400, graphErrorBody(100, `Unsupported get request. Object with ID '${tm[2]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, undefined, 'GraphMethodException'));
      }
      const answer = listTemplatesPage(tm[1]!, tm[2], fake.messageTemplates, query);
      return send(res, answer.status, answer.body);
    }
    const m = /^\/(v\d+\.\d+)\/(\d+)(\/messages)?$/.exec(url.pathname);
    const phone = m ? fake.phoneNumbers.find((p) => p.id === m[2]) : undefined;
    if (!m || !phone) {
      return send(res, 400, graphErrorBody(100, `Unsupported ${req.method} request. Object with ID '${m?.[2] ?? url.pathname}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, undefined, 'GraphMethodException'));
    }
    if (m[3] && req.method === 'POST') {
      if (typeof body !== 'object' || body === null) return invalid(res, 'The request body must be JSON.');
      if (latencyMs > 0) {
        setTimeout(() => createMessage(res, phone.id, body as Record<string, unknown>, at, receivedAt), latencyMs);
        return;
      }
      return createMessage(res, phone.id, body as Record<string, unknown>, at, receivedAt);
    }
    if (!m[3] && req.method === 'GET') {
      const fields = (query.fields ?? 'id').split(',');
      const all: Record<string, unknown> = {
        display_phone_number: phone.displayPhoneNumber,
        verified_name: phone.verifiedName,
        quality_rating: 'GREEN',
        code_verification_status: 'VERIFIED',
      };
      const out: Record<string, unknown> = {};
      for (const f of fields) if (f in all) out[f] = all[f];
      return send(res, 200, { ...out, id: phone.id });
    }
    return invalid(res, `Unsupported ${req.method} request.`);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8')));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

// ---------------------------------------------------------------------------------------------
// Webhook deliveries as Meta sends them

/** The X-Hub-Signature-256 header: `sha256=` + lowercase hex HMAC-SHA256(appSecret, rawBody). */
export function signWhatsAppBody(appSecret: string, rawBody: string | Buffer): string {
  return 'sha256=' + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

export function whatsappWebhook(appSecret: string, payload: unknown): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify(payload);
  return { headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppBody(appSecret, body) }, body };
}

export async function deliverWhatsAppWebhook(url: string, appSecret: string, payload: unknown): Promise<{ status: number; body: string }> {
  const hook = whatsappWebhook(appSecret, payload);
  const res = await fetch(url, { method: 'POST', headers: hook.headers, body: hook.body });
  return { status: res.status, body: await res.text() };
}

export interface WhatsAppMetadata {
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  wabaId?: string;
}

/** One inbound text message object (the element of `value.messages`). */
export function whatsappTextMessage(o: { from?: string; id?: string; text?: string; timestamp?: number; context?: { from: string; id: string } } = {}) {
  const from = o.from ?? '5511998765432';
  return {
    ...(o.context ? { context: o.context } : {}),
    from,
    id: o.id ?? randomWamid(from),
    timestamp: String(o.timestamp ?? Math.floor(Date.now() / 1000)),
    text: { body: o.text ?? 'Hello' },
    type: 'text',
  };
}

/** A webhook POST body carrying these messages in one entry/change (several messages allowed). */
export function whatsappInboundPayload(
  messages: Array<Record<string, unknown>>,
  o: WhatsAppMetadata & { contacts?: Array<{ waId: string; name: string }> } = {},
) {
  const contacts = o.contacts ?? [...new Set(messages.map((m) => String(m.from)))].map((waId) => ({ waId, name: 'Ana Souza' }));
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: o.wabaId ?? '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: o.displayPhoneNumber ?? '15550783881', phone_number_id: o.phoneNumberId ?? '106540352242922' },
              contacts: contacts.map((c) => ({ profile: { name: c.name }, wa_id: c.waId })),
              messages,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** A webhook POST body with delivery statuses. */
export function whatsappStatusPayload(
  statuses: Array<{ id: string; status: string; recipientId?: string; timestamp?: number; error?: { code: number; title: string; details?: string } }>,
  o: WhatsAppMetadata = {},
) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: o.wabaId ?? '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: o.displayPhoneNumber ?? '15550783881', phone_number_id: o.phoneNumberId ?? '106540352242922' },
              statuses: statuses.map((s) => ({
                id: s.id,
                status: s.status,
                timestamp: String(s.timestamp ?? Math.floor(Date.now() / 1000)),
                recipient_id: s.recipientId ?? '5511998765432',
                ...(s.error
                  ? { errors: [{ code: s.error.code, title: s.error.title, message: s.error.title, ...(s.error.details ? { error_data: { details: s.error.details } } : {}) }] }
                  : {}),
              })),
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** The GET Meta sends to verify a webhook URL. */
export function whatsappChallengeQuery(verifyToken: string, challenge = String(Math.floor(Math.random() * 1e9))): Record<string, string> {
  return { 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken, 'hub.challenge': challenge };
}
