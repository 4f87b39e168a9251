// A fake SALESmanago (API v2) on 127.0.0.1, faithful to PROVIDERS.md: every call is POST JSON carrying
// clientId, apiKey, requestTime, sha = sha1(apiKey + clientId + apiSecret) and owner; refusals are HTTP 200
// `{"success":false,"message":[…]}`. Contacts are kept by e-mail (upsert); external events are kept as posted,
// so a purchase posted twice is stored twice, as the vendor does.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSalesmanagoRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** The parsed JSON body (undefined when it was none). */
  json?: Record<string, unknown>;
  receivedAt: number;
}

export interface FakeSalesmanagoContact {
  contactId: string;
  email: string;
  name?: string;
  phone?: string;
  company?: string;
  tags: string[];
  /** true after forceOptOut, false after forceOptIn, null while never set. */
  optedOut: boolean | null;
  phoneOptedOut: boolean | null;
  properties: Record<string, string>;
}

export interface FakeSalesmanagoEvent {
  eventId: string;
  contactId: string;
  email: string;
  contactExtEventType: string;
  date: number;
  value?: number;
  products?: string;
  location?: string;
  externalId?: string;
  description?: string;
}

export interface FakeSalesmanagoReply {
  status: number;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeSalesmanagoOptions {
  clientId?: string;
  apiSecret?: string;
  owner?: string;
}

/** External event types SALESmanago takes (its integration library's list, shortened). */
const eventTypes = new Set(['PURCHASE', 'CART', 'VISIT', 'PHONE_CALL', 'OTHER', 'RESERVATION', 'CANCELLED', 'ACTIVATION', 'MEETING', 'OFFER', 'DOWNLOAD', 'LOGIN', 'TRANSACTION', 'CANCELLATION', 'RETURN']);

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const isEmail = (v: unknown): v is string => typeof v === 'string' && v.length <= 254 && /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export async function startFakeSalesmanago(opts: FakeSalesmanagoOptions = {}) {
  const clientId = opts.clientId ?? 'sm-client-0001';
  const apiSecret = opts.apiSecret ?? 'sm-api-secret-0001';
  const owner = opts.owner ?? 'owner@shop.example.com';
  const requests: FakeSalesmanagoRequest[] = [];
  const contacts = new Map<string, FakeSalesmanagoContact>();
  const events: FakeSalesmanagoEvent[] = [];
  const failures: FakeSalesmanagoReply[] = [];
  /** Calls to these paths are carried out, then their answer is lost (the socket closes). */
  const losses: string[] = [];

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html; charset=UTF-8' : 'application/json', ...headers });
    res.end(text);
  };
  const ok = (res: ServerResponse, fields: Record<string, unknown> = {}) => answer(res, 200, { success: true, message: [], ...fields });
  // SALESmanago refuses with HTTP 200 and a list of messages.
  const refuse = (res: ServerResponse, ...message: string[]) => answer(res, 200, { success: false, message });

  /** The vendor's check of the auth fields; null when they hold, else the refusal's message. */
  function authProblem(b: Record<string, unknown>): string | null {
    if (b.clientId !== clientId || typeof b.apiKey !== 'string' || b.apiKey === '') return 'Not authenticated';
    if (typeof b.sha !== 'string' || b.sha !== sha1(b.apiKey + clientId + apiSecret)) return 'Not authenticated';
    if (typeof b.requestTime !== 'number' || b.requestTime < 1e12) return 'Not authenticated';
    // The owner must be a user of the account (the wording of this refusal is a guess).
    if (b.owner !== owner) return `Owner ${String(b.owner)} not found`;
    return null;
  }

  function contactFor(email: string): FakeSalesmanagoContact {
    let c = contacts.get(email);
    if (!c) {
      c = { contactId: randomUUID(), email, tags: [], optedOut: null, phoneOptedOut: null, properties: {} };
      contacts.set(email, c);
    }
    return c;
  }

  function upsert(b: Record<string, unknown>, res: ServerResponse) {
    const contact = (b.contact ?? {}) as Record<string, unknown>;
    if (!isEmail(contact.email)) return refuse(res, `Not valid email: ${String(contact.email)}`);
    if (b.forceOptIn === true && b.forceOptOut === true) return refuse(res, 'forceOptIn and forceOptOut cannot both be set');
    const c = contactFor(contact.email.toLowerCase());
    for (const key of ['name', 'phone', 'company'] as const) if (typeof contact[key] === 'string') c[key] = contact[key] as string;
    const remove = new Set(strings(b.removeTags));
    c.tags = [...new Set([...c.tags, ...strings(b.tags)])].filter((t) => !remove.has(t));
    if (b.forceOptIn === true) c.optedOut = false;
    if (b.forceOptOut === true) c.optedOut = true;
    if (b.forcePhoneOptIn === true) c.phoneOptedOut = false;
    if (b.forcePhoneOptOut === true) c.phoneOptedOut = true;
    if (typeof b.properties === 'object' && b.properties !== null) Object.assign(c.properties, b.properties);
    return ok(res, { contactId: c.contactId });
  }

  function addEvent(b: Record<string, unknown>, res: ServerResponse) {
    const e = (b.contactEvent ?? {}) as Record<string, unknown>;
    if (!isEmail(b.email)) return refuse(res, `Not valid email: ${String(b.email)}`);
    if (typeof e.contactExtEventType !== 'string' || !eventTypes.has(e.contactExtEventType)) return refuse(res, `Unknown contactExtEventType: ${String(e.contactExtEventType)}`);
    if (typeof e.date !== 'number') return refuse(res, 'contactEvent.date must be a timestamp in milliseconds');
    if (e.value !== undefined && typeof e.value !== 'number') return refuse(res, 'contactEvent.value must be a number');
    const c = contactFor(b.email.toLowerCase());
    const event: FakeSalesmanagoEvent = { eventId: randomUUID(), contactId: c.contactId, email: c.email, contactExtEventType: e.contactExtEventType, date: e.date };
    for (const key of ['products', 'location', 'externalId', 'description'] as const) if (typeof e[key] === 'string') event[key] = e[key] as string;
    if (typeof e.value === 'number') event.value = e.value;
    events.push(event);
    return ok(res, { eventId: event.eventId });
  }

  function handle(req: FakeSalesmanagoRequest, res: ServerResponse) {
    if (req.method !== 'POST') return answer(res, 405, '<html><body>Method Not Allowed</body></html>');
    const b = req.json;
    if (!b) return refuse(res, 'Request body is not JSON');
    const problem = authProblem(b);
    if (problem) return refuse(res, problem);
    const failure = failures.shift();
    if (failure) return answer(res, failure.status, failure.body ?? '', failure.headers);
    switch (req.path) {
      case '/api/contact/upsert':
        return upsert(b, res);
      case '/api/v2/contact/addContactExtEvent':
      case '/api/contact/addContactExtEvent':
        return addEvent(b, res);
      case '/api/contact/hasContact': {
        const c = typeof b.email === 'string' ? contacts.get(b.email.toLowerCase()) : undefined;
        return ok(res, { result: Boolean(c), ...(c ? { contactId: c.contactId } : {}) });
      }
      default:
        return answer(res, 404, '<html><body><h1>404 Not Found</h1></body></html>');
    }
  }

  /** Milliseconds each call waits before it is handled (a slow vendor, for tests that act mid-way). */
  let delayMs = 0;
  const later = () => (delayMs > 0 ? new Promise<void>((r) => setTimeout(r, delayMs)) : Promise.resolve());
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void later().then(() => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const recorded: FakeSalesmanagoRequest = { method: req.method ?? 'GET', path: url.pathname, headers: req.headers, rawBody, receivedAt: Date.now() };
      try {
        const parsed: unknown = rawBody ? JSON.parse(rawBody) : undefined;
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) recorded.json = parsed as Record<string, unknown>;
      } catch {
        recorded.json = undefined;
      }
      requests.push(recorded);
      const lose = losses.indexOf(url.pathname);
      if (lose === -1) return handle(recorded, res);
      losses.splice(lose, 1);
      // Carried out, then the answer never arrives.
      const discard = { writeHead: () => discard, end: () => res.socket?.destroy() } as unknown as ServerResponse;
      handle(recorded, discard);
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    apiSecret,
    owner,
    requests,
    contacts,
    events,
    /** Requests to one API method, e.g. `/api/contact/upsert`. */
    callsTo: (path: string) => requests.filter((r) => r.path === path),
    /** The next `n` calls that pass the auth check get this answer (e.g. 429, 500, or 200 with success:false). */
    failNext(n: number, reply: FakeSalesmanagoReply) {
      for (let i = 0; i < n; i++) failures.push(reply);
    },
    /** Every call from now on waits this long before it is handled. */
    slowDown(ms: number) {
      delayMs = ms;
    },
    /** The next `n` calls to `path` are carried out and their answers lost. */
    loseNext(n: number, path: string) {
      for (let i = 0; i < n; i++) losses.push(path);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export type FakeSalesmanago = Awaited<ReturnType<typeof startFakeSalesmanago>>;
