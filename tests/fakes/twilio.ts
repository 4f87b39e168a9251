// A fake Twilio REST API (Messages, Account, IncomingPhoneNumbers, Content templates) on 127.0.0.1, faithful to
// PROVIDERS.md, plus builders of signed webhook deliveries as Twilio sends them.
// Built for benchmarks too: no logging, minimal work per request.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { listContents, storeContents, type FakeTwilioContent, type StoredContent } from './twilio-content.js';

export type { FakeTwilioContent } from './twilio-content.js';

export type FormParams = Record<string, string | string[]>;

export interface FakeTwilioRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  form: FormParams;
  /** performance.now() and Date.now() when the request body was complete. */
  at: number;
  receivedAt: number;
}

export interface FakeTwilioMessage {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  contentSid?: string;
  /** ContentVariables as sent (a JSON string) and parsed. */
  contentVariables?: string;
  contentVariablesParsed?: unknown;
  messagingServiceSid?: string;
  statusCallback?: string;
  mediaUrls: string[];
  status: string;
  numSegments: number;
  /** The dedupe/benchmark key (see FakeTwilioOptions.keyOf). */
  key: string;
  at: number;
  receivedAt: number;
}

export interface FakeTwilioFailure {
  /** HTTP status; default 429. */
  status?: number;
  /** Twilio error code; default 20429 for 429, 20500 for 5xx, 21211 otherwise. */
  code?: number;
  message?: string;
  /** Seconds, sent as the Retry-After header. */
  retryAfter?: number;
  /** Close the socket without an answer (a network error at the client). */
  drop?: boolean;
  /** Create the message, then close the socket without an answer: the client cannot know it went out. */
  lostAnswer?: boolean;
  /** Create the message and never answer (the socket stays open until the fake closes). */
  hangAfterCreate?: boolean;
}

export interface FakeTwilioNumber {
  phoneNumber: string;
  friendlyName?: string;
}

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
  friendlyName?: string;
  /** `active`, `suspended` or `closed`. */
  accountStatus?: string;
  numbers?: FakeTwilioNumber[];
  /** Recipients (E.164, with or without `whatsapp:`) that texted STOP: sends to them answer 21610. */
  unsubscribed?: Iterable<string>;
  /** Recipients that answer 21608 (unverified number on a trial account). */
  unverified?: Iterable<string>;
  /** Key a delivery is counted under; default `To` + body or content template + variables. */
  keyOf?: (form: FormParams) => string;
  /** Content templates `GET /v1/Content` lists (content.twilio.com). */
  contents?: FakeTwilioContent[];
  /** Milliseconds to wait before answering a send. */
  latencyMs?: number;
  /** Keep every request in `requests` (default true; turn off for long benchmarks). */
  recordRequests?: boolean;
}

export interface FakeTwilio {
  url: string;
  accountSid: string;
  authToken: string;
  requests: FakeTwilioRequest[];
  /** Messages accepted (201), in order of arrival. */
  messages: FakeTwilioMessage[];
  /** Accepted deliveries per key: 1 = once, 2+ = doubled, absent = lost. */
  deliveries: Map<string, number>;
  unsubscribed: Set<string>;
  unverified: Set<string>;
  numbers: FakeTwilioNumber[];
  /** The account's Content templates, in the order `GET /v1/Content` lists them. */
  contents: StoredContent[];
  /** Replaces the Content templates (sids made up where not given). */
  setContents(items: FakeTwilioContent[]): StoredContent[];
  /** The next `n` message sends answer with this failure. */
  failNext(n: number, failure?: FakeTwilioFailure): void;
  /** Keys delivered more than once. */
  duplicates(): string[];
  setLatency(ms: number): void;
  reset(): void;
  close(): Promise<void>;
}

const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([^/]+)(\.json|\/Messages\.json|\/IncomingPhoneNumbers\.json)$/;

export function randomSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

export function parseForm(raw: string): FormParams {
  const out: FormParams = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

function one(form: FormParams, name: string): string | undefined {
  const v = form[name];
  return Array.isArray(v) ? v[0] : v;
}

function all(form: FormParams, name: string): string[] {
  const v = form[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

const GSM7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€',
);
const GSM7_EXT = new Set('^{}\\[~]|€');

/** Segments as Twilio counts them: GSM-7 160/153 (extension chars count twice), else UCS-2 70/67. */
export function countSegments(body: string): number {
  if (body.length === 0) return 1;
  let gsm = true;
  let septets = 0;
  for (const ch of body) {
    if (!GSM7.has(ch)) {
      gsm = false;
      break;
    }
    septets += GSM7_EXT.has(ch) ? 2 : 1;
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  let units = 0;
  for (const ch of body) units += ch.length;
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

function bare(address: string): string {
  return address.startsWith('whatsapp:') ? address.slice(9) : address;
}

const E164 = /^\+[1-9]\d{6,14}$/;

function defaultKey(form: FormParams): string {
  const content = one(form, 'ContentSid');
  return `${one(form, 'To') ?? ''}\n${content ? `${content}${one(form, 'ContentVariables') ?? ''}` : (one(form, 'Body') ?? '')}`;
}

export async function startFakeTwilio(opts: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const accountSid = opts.accountSid ?? 'AC' + 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
  const authToken = opts.authToken ?? 'f00dcafef00dcafef00dcafef00dcafe';
  const expectedAuth = 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64');
  const keyOf = opts.keyOf ?? defaultKey;
  const record = opts.recordRequests ?? true;
  let latencyMs = opts.latencyMs ?? 0;
  const failures: FakeTwilioFailure[] = [];
  const hanging = new Set<ServerResponse>();

  const fake: FakeTwilio = {
    url: '',
    accountSid,
    authToken,
    requests: [],
    messages: [],
    deliveries: new Map(),
    unsubscribed: new Set([...(opts.unsubscribed ?? [])].map(bare)),
    unverified: new Set([...(opts.unverified ?? [])].map(bare)),
    numbers: opts.numbers ?? [
      { phoneNumber: '+15550002222', friendlyName: '(555) 000-2222' },
      { phoneNumber: '+14155238886', friendlyName: 'WhatsApp sender' },
    ],
    contents: storeContents(opts.contents ?? []),
    setContents(items) {
      fake.contents = storeContents(items);
      return fake.contents;
    },
    failNext(n, failure = {}) {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    duplicates() {
      return [...fake.deliveries].filter(([, count]) => count > 1).map(([key]) => key);
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
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function sendError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
    send(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
  }

  function accountJson() {
    return {
      sid: accountSid,
      friendly_name: opts.friendlyName ?? 'Bundles test account',
      status: opts.accountStatus ?? 'active',
      type: 'Full',
      owner_account_sid: accountSid,
      date_created: 'Tue, 11 Feb 2025 12:00:00 +0000',
      date_updated: 'Tue, 11 Feb 2025 12:00:00 +0000',
      auth_token: authToken,
      uri: `/2010-04-01/Accounts/${accountSid}.json`,
      subresource_uris: {
        messages: `/2010-04-01/Accounts/${accountSid}/Messages.json`,
        incoming_phone_numbers: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`,
      },
    };
  }

  function numbersJson() {
    const uri = `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`;
    return {
      incoming_phone_numbers: fake.numbers.map((n, i) => ({
        sid: 'PN' + String(i).padStart(32, '0'),
        account_sid: accountSid,
        phone_number: n.phoneNumber,
        friendly_name: n.friendlyName ?? n.phoneNumber,
        capabilities: { voice: true, sms: true, mms: true, fax: false },
        sms_url: '',
        sms_method: 'POST',
        status: 'in-use',
        api_version: '2010-04-01',
        date_created: 'Tue, 11 Feb 2025 12:00:00 +0000',
        date_updated: 'Tue, 11 Feb 2025 12:00:00 +0000',
        uri: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/PN${String(i).padStart(32, '0')}.json`,
      })),
      end: Math.max(0, fake.numbers.length - 1),
      first_page_uri: `${uri}?PageSize=50&Page=0`,
      next_page_uri: null,
      page: 0,
      page_size: 50,
      previous_page_uri: null,
      start: 0,
      uri: `${uri}?PageSize=50&Page=0`,
    };
  }

  function createMessage(res: ServerResponse, form: FormParams, at: number, receivedAt: number): void {
    let failure = failures.shift();
    const after = failure?.lostAnswer ? 'lose' : failure?.hangAfterCreate ? 'hang' : null;
    if (after) failure = undefined;
    if (failure) {
      if (failure.drop) {
        res.socket?.destroy();
        return;
      }
      const status = failure.status ?? 429;
      const code = failure.code ?? (status === 429 ? 20429 : status >= 500 ? 20500 : 21211);
      const message = failure.message ?? (code === 20429 ? 'Too Many Requests' : status >= 500 ? 'Internal Server Error' : 'Error');
      sendError(res, status, code, message, failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {});
      return;
    }
    const to = one(form, 'To');
    const from = one(form, 'From');
    const service = one(form, 'MessagingServiceSid');
    const body = one(form, 'Body') ?? '';
    const contentSid = one(form, 'ContentSid');
    const mediaUrls = all(form, 'MediaUrl');
    if (!to) return sendError(res, 400, 21604, "A 'To' phone number is required.");
    if (!from && !service) return sendError(res, 400, 21603, "A 'From' phone number is required.");
    if (!body && !contentSid && mediaUrls.length === 0) return sendError(res, 400, 21602, 'Message body is required.');
    if (!E164.test(bare(to))) return sendError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (from && !E164.test(bare(from))) return sendError(res, 400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
    if (from && to.startsWith('whatsapp:') !== from.startsWith('whatsapp:')) {
      return sendError(res, 400, 63007, `Twilio could not find a Channel with the specified From address: ${from}`);
    }
    if (body.length > 1600) return sendError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (mediaUrls.length > 10) return sendError(res, 400, 21623, 'Number of media files exceeds allowed limit.');
    let contentVariablesParsed: unknown;
    const contentVariables = one(form, 'ContentVariables');
    if (contentVariables !== undefined) {
      try {
        contentVariablesParsed = JSON.parse(contentVariables);
      } catch {
        return sendError(res, 400, 21656, 'The ContentVariables Parameter is invalid.');
      }
    }
    if (fake.unsubscribed.has(bare(to))) return sendError(res, 400, 21610, 'Attempt to send to unsubscribed recipient');
    if (fake.unverified.has(bare(to))) {
      return sendError(res, 400, 21608, `The number ${bare(to)} is unverified. Trial accounts cannot send messages to unverified numbers; verify ${bare(to)} at twilio.com/user/account/phone-numbers/verified, or purchase a Twilio number to send messages to unverified numbers.`);
    }
    const sid = randomSid(mediaUrls.length > 0 ? 'MM' : 'SM');
    const status = service ? 'accepted' : 'queued';
    const numSegments = contentSid ? 1 : countSegments(body);
    const key = keyOf(form);
    fake.messages.push({
      sid, accountSid, from: from ?? '', to, body, mediaUrls, status, numSegments, key, at, receivedAt,
      ...(contentSid ? { contentSid } : {}),
      ...(contentVariables !== undefined ? { contentVariables, contentVariablesParsed } : {}),
      ...(service ? { messagingServiceSid: service } : {}),
      ...(one(form, 'StatusCallback') ? { statusCallback: one(form, 'StatusCallback') } : {}),
    });
    fake.deliveries.set(key, (fake.deliveries.get(key) ?? 0) + 1);
    if (after === 'lose') res.socket?.destroy();
    else if (after === 'hang') hanging.add(res);
    else send(res, 201, messageJson(fake.messages.at(-1)!));
  }

  /** A message as Twilio's REST API writes it (create answer and list items). */
  function messageJson(m: FakeTwilioMessage) {
    const created = rfc2822(new Date(m.receivedAt));
    return {
      account_sid: accountSid,
      api_version: '2010-04-01',
      body: m.body,
      date_created: created,
      // Empty while queued: the fake never moves a message past queued (or accepted).
      date_sent: null,
      date_updated: created,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: m.from || null,
      messaging_service_sid: m.messagingServiceSid ?? null,
      num_media: String(m.mediaUrls.length),
      num_segments: String(m.numSegments),
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: m.status,
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}/Media.json` },
      to: m.to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`,
    };
  }

  /**
   * GET Messages.json: newest first, filtered by To, From and DateSent (YYYY-MM-DD, also `DateSent<` and
   * `DateSent>`, on the date sent, which queued messages do not have), PageSize (default 50, at most 1000), Page.
   */
  function listMessages(res: ServerResponse, query: URLSearchParams): void {
    const to = query.get('To');
    const from = query.get('From');
    const dateFilters = (['DateSent', 'DateSent<', 'DateSent>'] as const).filter((k) => query.has(k));
    const pageSize = Math.min(1000, Math.max(1, Number(query.get('PageSize') ?? 50) || 50));
    const page = Math.max(0, Number(query.get('Page') ?? 0) || 0);
    const matching: FakeTwilioMessage[] = [];
    for (let i = fake.messages.length - 1; i >= 0; i--) {
      const m = fake.messages[i]!;
      if (to !== null && m.to !== to) continue;
      if (from !== null && m.from !== from) continue;
      // No message of this fake has a date sent, so any DateSent filter leaves it out.
      if (dateFilters.length > 0) continue;
      matching.push(m);
    }
    const items = matching.slice(page * pageSize, (page + 1) * pageSize);
    const base = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
    const pageUri = (p: number) => {
      const q = new URLSearchParams(query);
      q.set('PageSize', String(pageSize));
      q.set('Page', String(p));
      if (p > 0) q.set('PageToken', `PASM${items[0]?.sid.slice(2) ?? ''}`);
      else q.delete('PageToken');
      return `${base}?${q.toString()}`;
    };
    send(res, 200, {
      messages: items.map(messageJson),
      end: page * pageSize + Math.max(0, items.length - 1),
      first_page_uri: pageUri(0),
      next_page_uri: (page + 1) * pageSize < matching.length ? pageUri(page + 1) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? pageUri(page - 1) : null,
      start: page * pageSize,
      uri: pageUri(page),
    });
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const at = performance.now();
    const receivedAt = Date.now();
    const q = req.url!.indexOf('?');
    const path = q === -1 ? req.url! : req.url!.slice(0, q);
    const form = raw ? parseForm(raw) : {};
    if (record) fake.requests.push({ method: req.method!, path, headers: req.headers, form, at, receivedAt });
    if (path === '/v1/Content' && req.method === 'GET') {
      if (req.headers.authorization !== expectedAuth) return send(res, 401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
      const answer = listContents(accountSid, fake.contents, new URLSearchParams(q === -1 ? '' : req.url!.slice(q + 1)));
      return send(res, answer.status, answer.body);
    }
    const match = ACCOUNT_PATH.exec(path);
    if (!match) return sendError(res, 404, 20404, `The requested resource ${path} was not found`);
    if (req.headers.authorization !== expectedAuth || match[1] !== accountSid) {
      return send(res, 401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    }
    const resource = match[2];
    if (resource === '.json' && req.method === 'GET') return send(res, 200, accountJson());
    if (resource === '/IncomingPhoneNumbers.json' && req.method === 'GET') return send(res, 200, numbersJson());
    if (resource === '/Messages.json' && req.method === 'GET') return listMessages(res, new URLSearchParams(q === -1 ? '' : req.url!.slice(q + 1)));
    if (resource === '/Messages.json' && req.method === 'POST') {
      if (latencyMs > 0) {
        setTimeout(() => createMessage(res, form, at, receivedAt), latencyMs);
        return;
      }
      return createMessage(res, form, at, receivedAt);
    }
    return sendError(res, 405, 20004, 'Method not allowed');
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
// Webhook deliveries as Twilio sends them

/** X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + sorted name+value pairs)). */
export function signTwilioRequest(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    for (const v of Array.isArray(value) ? [...new Set(value)].sort() : [value]) data += name + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

export function encodeForm(params: FormParams): string {
  const out = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
  return out.toString();
}

/** A signed webhook request: POST `body` with these `headers` to `url`. */
export function twilioWebhook(authToken: string, url: string, params: FormParams): { url: string; headers: Record<string, string>; body: string } {
  return {
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(authToken, url, params), 'i-twilio-idempotency-token': randomBytes(16).toString('hex') },
    body: encodeForm(params),
  };
}

/** Delivers a signed webhook to `url` (loopback) and returns the answer. `signedUrl` when a proxy changes the URL. */
export async function deliverTwilioWebhook(url: string, authToken: string, params: FormParams, signedUrl = url): Promise<{ status: number; contentType: string; body: string }> {
  const hook = twilioWebhook(authToken, signedUrl, params);
  const res = await fetch(url, { method: 'POST', headers: hook.headers, body: hook.body });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}

export interface InboundOptions {
  accountSid?: string;
  messageSid?: string;
  from?: string;
  to?: string;
  body?: string;
  media?: Array<{ url: string; contentType: string }>;
}

/** The form of an inbound SMS webhook. */
export function twilioInboundSms(o: InboundOptions = {}): Record<string, string> {
  const sid = o.messageSid ?? randomSid(o.media?.length ? 'MM' : 'SM');
  const media = o.media ?? [];
  const params: Record<string, string> = {
    ToCountry: 'US',
    ToState: 'CA',
    SmsMessageSid: sid,
    NumMedia: String(media.length),
    ToCity: '',
    FromZip: '',
    SmsSid: sid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: o.body ?? 'Hello',
    FromCountry: 'BR',
    To: o.to ?? '+15550002222',
    ToZip: '',
    NumSegments: String(countSegments(o.body ?? 'Hello')),
    MessageSid: sid,
    AccountSid: o.accountSid ?? 'AC' + 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
    From: o.from ?? '+5511998765432',
    ApiVersion: '2010-04-01',
  };
  media.forEach((m, i) => {
    params[`MediaContentType${i}`] = m.contentType;
    params[`MediaUrl${i}`] = m.url;
  });
  return params;
}

/** The form of an inbound WhatsApp webhook (addresses get the `whatsapp:` prefix). */
export function twilioInboundWhatsApp(o: InboundOptions & { profileName?: string } = {}): Record<string, string> {
  const from = o.from ?? '+5511998765432';
  const base = twilioInboundSms({ ...o, from: `whatsapp:${bare(from)}`, to: `whatsapp:${bare(o.to ?? '+14155238886')}` });
  for (const k of ['ToCountry', 'ToState', 'ToCity', 'FromZip', 'FromState', 'FromCity', 'FromCountry', 'ToZip']) delete base[k];
  return {
    ...base,
    ProfileName: o.profileName ?? 'Ana Souza',
    MessageType: o.media?.length ? (o.media[0]!.contentType.split('/')[0] ?? 'document') : 'text',
    WaId: bare(from).replace(/^\+/, ''),
    ReferralNumMedia: '0',
  };
}

/** The form of a status callback. */
export function twilioStatusCallback(o: {
  messageSid: string;
  status: string;
  from?: string;
  to?: string;
  accountSid?: string;
  errorCode?: number;
  errorMessage?: string;
}): Record<string, string> {
  const from = o.from ?? '+15550002222';
  const whatsapp = from.startsWith('whatsapp:');
  return {
    ...(whatsapp ? { ChannelPrefix: 'whatsapp' } : {}),
    ...(whatsapp && o.status === 'read' ? { EventType: 'READ' } : {}),
    ...(o.errorCode !== undefined ? { ErrorCode: String(o.errorCode) } : {}),
    ...(o.errorMessage ? { ErrorMessage: o.errorMessage } : {}),
    SmsSid: o.messageSid,
    SmsStatus: o.status,
    MessageStatus: o.status,
    To: o.to ?? '+5511998765432',
    MessageSid: o.messageSid,
    AccountSid: o.accountSid ?? 'AC' + 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
    From: from,
    ApiVersion: '2010-04-01',
  };
}
