// A fake RetailCRM (API v5 + Message Gateway bot API) on 127.0.0.1, faithful to PROVIDERS.md: X-API-KEY,
// form bodies with JSON inside fields, 201 on creates, by=id (else externalId), 10 requests/s per key answered 503. Lists of
// customers and orders page by limit (20, 50, 100) and filter as v5 does (sites, dates, payment statuses).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRetailcrmRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** Form fields of a form-urlencoded body. */
  form?: Record<string, string>;
  /** The body of a JSON request (Message Gateway). */
  json?: unknown;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
}

export interface FakeRetailcrmCustomer {
  id: number;
  externalId?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  phones: Array<{ number: string }>;
  site: string;
  source?: { source?: string };
  [field: string]: unknown;
}

export interface FakeRetailcrmOrder {
  id: number;
  number: string;
  externalId?: string;
  status: string;
  site: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  email?: string;
  customer?: FakeRetailcrmCustomer;
  totalSumm: number;
  items: unknown[];
  [field: string]: unknown;
}

export interface FakeReply {
  status: number;
  /** A string is sent as is (e.g. HTML); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeRetailcrmOptions {
  apiKey?: string;
  /** Shop codes the key reaches; the first is the default when only one. */
  sites?: string[];
  mgToken?: string;
  /** Requests per second per key before 503 "Rate limit exceeded"; false = no limit. Default 10. */
  rateLimit?: number | false;
}

const defaultStatuses: Record<string, { name: string; code: string; active: boolean; ordering: number; group: string }> = {
  new: { name: 'New', code: 'new', active: true, ordering: 10, group: 'new' },
  'availability-confirmed': { name: 'Availability confirmed', code: 'availability-confirmed', active: true, ordering: 20, group: 'approval' },
  paid: { name: 'Paid', code: 'paid', active: true, ordering: 30, group: 'approval' },
  'send-to-delivery': { name: 'Sent to delivery', code: 'send-to-delivery', active: true, ordering: 40, group: 'delivery' },
  complete: { name: 'Complete', code: 'complete', active: true, ordering: 50, group: 'complete' },
  'cancel-other': { name: 'Cancelled', code: 'cancel-other', active: true, ordering: 60, group: 'cancel' },
  archived: { name: 'Archived', code: 'archived', active: false, ordering: 70, group: 'cancel' },
};

const defaultPaymentStatuses: Record<string, { name: string; code: string; active: boolean; paymentComplete: boolean; ordering: number }> = {
  'not-paid': { name: 'Not paid', code: 'not-paid', active: true, paymentComplete: false, ordering: 10 },
  invoice: { name: 'Invoice sent', code: 'invoice', active: true, paymentComplete: false, ordering: 20 },
  paid: { name: 'Paid', code: 'paid', active: true, paymentComplete: true, ordering: 30 },
  'credit-check': { name: 'Paid by credit', code: 'credit-check', active: true, paymentComplete: true, ordering: 40 },
  returned: { name: 'Returned', code: 'returned', active: true, paymentComplete: false, ordering: 50 },
};

const digits = (s: string) => s.replace(/\D/g, '');

/** Values of an indexed or bracketed list filter, e.g. `filter[paymentStatuses][0]=paid&filter[paymentStatuses][1]=…`. */
function listFilter(query: Record<string, string>, name: string): string[] {
  const pattern = new RegExp(`^filter\\[${name}\\]\\[\\d*\\]$`);
  return Object.entries(query)
    .filter(([k]) => pattern.test(k))
    .map(([, v]) => v);
}

/** Whether a `Y-m-d H:i:s` (or `Y-m-d`) date lies within the filter's days (both ends included). */
function withinDays(date: string | undefined, from: string | undefined, to: string | undefined): boolean {
  if (!from && !to) return true;
  if (!date) return false;
  const day = date.slice(0, 10);
  return (!from || day >= from.slice(0, 10)) && (!to || day <= to.slice(0, 10));
}

function paginate<T>(items: T[], query: Record<string, string>): { page: T[]; pagination: Record<string, number> } | { error: string } {
  const limit = Number(query.limit ?? 20);
  const page = Number(query.page ?? 1);
  if (![20, 50, 100].includes(limit)) return { error: 'This value should be one of 20, 50, 100.' };
  return {
    page: items.slice((page - 1) * limit, page * limit),
    pagination: { limit, totalCount: items.length, currentPage: page, totalPageCount: Math.max(1, Math.ceil(items.length / limit)) },
  };
}

export async function startFakeRetailcrm(opts: FakeRetailcrmOptions = {}) {
  const apiKey = opts.apiKey ?? 'rcrm-test-key-0001';
  const mgToken = opts.mgToken ?? 'mg-bot-token-0001';
  const sites = opts.sites ?? ['myshop'];
  let rateLimit: number | false = opts.rateLimit ?? 10;
  const requests: FakeRetailcrmRequest[] = [];
  const customers: FakeRetailcrmCustomer[] = [];
  const orders: FakeRetailcrmOrder[] = [];
  const chatMessages: Array<{ message_id: number; chat_id: number; scope: string; type: string; content: string }> = [];
  const statuses = structuredClone(defaultStatuses);
  const paymentStatuses = structuredClone(defaultPaymentStatuses);
  const failures: FakeReply[] = [];
  /** Requests to these paths are carried out, then their answer is lost (the socket closes). */
  const losses: string[] = [];
  const lostAnswers = new WeakSet<ServerResponse>();
  const windows = new Map<string, { second: number; count: number }>();
  let nextCustomerId = 300;
  let nextOrderId = 1000;
  let nextMessageId = 9000;

  function addCustomer(c: Partial<FakeRetailcrmCustomer> & { phones?: Array<{ number: string }> }): FakeRetailcrmCustomer {
    const customer: FakeRetailcrmCustomer = { ...c, id: c.id ?? ++nextCustomerId, phones: c.phones ?? [], site: c.site ?? sites[0]! };
    nextCustomerId = Math.max(nextCustomerId, customer.id);
    customers.push(customer);
    return customer;
  }

  function addOrder(o: Partial<FakeRetailcrmOrder>): FakeRetailcrmOrder {
    const id = o.id ?? ++nextOrderId;
    nextOrderId = Math.max(nextOrderId, id);
    const order: FakeRetailcrmOrder = {
      ...o,
      id,
      number: o.number ?? `${id}A`,
      status: o.status ?? 'new',
      site: o.site ?? sites[0]!,
      totalSumm: o.totalSumm ?? 0,
      items: o.items ?? [],
      createdAt: o.createdAt ?? '2024-05-14 12:03:11',
    };
    orders.push(order);
    return order;
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    if (lostAnswers.has(res)) {
      lostAnswers.delete(res);
      res.socket?.destroy();
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/html; charset=UTF-8' : 'application/json';
    res.writeHead(status, { 'content-type': type, ...headers });
    res.end(text);
  }
  const fail = (res: ServerResponse, status: number, errorMsg: string, errors?: unknown) =>
    send(res, status, { success: false, errorMsg, ...(errors ? { errors } : {}) });

  function readSite(res: ServerResponse, given: string | undefined): string | null {
    if (given) {
      if (!sites.includes(given)) {
        fail(res, 403, `Access to the site "${given}" is denied`);
        return null;
      }
      return given;
    }
    if (sites.length > 1) {
      fail(res, 400, 'Parameter \'site\' is missing');
      return null;
    }
    return sites[0]!;
  }

  function parseJsonField(res: ServerResponse, form: Record<string, string>, name: string): Record<string, unknown> | null {
    const raw = form[name];
    if (raw === undefined) {
      fail(res, 400, `Parameter '${name}' is missing`);
      return null;
    }
    try {
      const value: unknown = JSON.parse(raw);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // answered below
    }
    fail(res, 400, `Parameter '${name}' must be a JSON object`);
    return null;
  }

  function handleApi(req: FakeRetailcrmRequest, res: ServerResponse) {
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') return fail(res, 403, '"apiKey" is missing.');
    if (key !== apiKey) return fail(res, 403, 'Wrong "apiKey" value.');
    if (rateLimit !== false) {
      const second = Math.floor(req.receivedAt / 1000);
      const w = windows.get(key);
      if (!w || w.second !== second) windows.set(key, { second, count: 1 });
      else if (++w.count > rateLimit) return fail(res, 503, 'Rate limit exceeded');
    }
    const failure = failures.shift();
    if (failure) return send(res, failure.status, failure.body ?? '', failure.headers);

    const path = req.path.replace(/^\/api\/v5(?=\/)/, '/api');
    const form = req.form ?? {};
    let m: RegExpMatchArray | null;

    if (req.method === 'GET' && path === '/api/credentials') {
      return send(res, 200, {
        success: true,
        credentials: ['/api/customers', '/api/customers/{externalId}', '/api/customers/create', '/api/orders', '/api/orders/create', '/api/orders/{id}', '/api/orders/{id}/edit', '/api/reference/statuses'],
        siteAccess: 'access_selective',
        sitesAvailable: sites,
      });
    }
    if (req.method === 'GET' && path === '/api/reference/statuses') return send(res, 200, { success: true, statuses });
    if (req.method === 'GET' && path === '/api/reference/payment-statuses') return send(res, 200, { success: true, paymentStatuses });

    if (req.method === 'GET' && path === '/api/orders') {
      const q = req.query;
      const wanted = listFilter(q, 'paymentStatuses');
      const shops = listFilter(q, 'sites');
      const found = orders.filter((o) => {
        if (shops.length && !shops.includes(o.site)) return false;
        const payments = Object.values((o.payments ?? {}) as Record<string, { status?: string; paidAt?: string }>);
        if (wanted.length && !payments.some((p) => p.status !== undefined && wanted.includes(p.status))) return false;
        const from = q['filter[paidAtFrom]'];
        const to = q['filter[paidAtTo]'];
        return !from && !to ? true : payments.some((p) => withinDays(p.paidAt, from, to));
      });
      const paged = paginate(found, q);
      if ('error' in paged) return fail(res, 400, 'Errors in the input parameters', { limit: paged.error });
      return send(res, 200, { success: true, pagination: paged.pagination, orders: paged.page });
    }

    if (req.method === 'GET' && path === '/api/customers') {
      const q = (req.query['filter[name]'] ?? '').trim().toLowerCase();
      const limit = Number(req.query.limit ?? 20);
      const page = Number(req.query.page ?? 1);
      if (![20, 50, 100].includes(limit)) return fail(res, 400, 'Errors in the input parameters', { limit: 'This value should be one of 20, 50, 100.' });
      const shops = listFilter(req.query, 'sites');
      const externalIds = listFilter(req.query, 'externalIds');
      const found = customers.filter((c) => {
        if (shops.length && !shops.includes(c.site)) return false;
        if (externalIds.length && !(typeof c.externalId === 'string' && externalIds.includes(c.externalId))) return false;
        if (!withinDays(c.createdAt as string | undefined, req.query['filter[dateFrom]'], req.query['filter[dateTo]'])) return false;
        if (!q) return true;
        const name = [c.firstName, c.lastName, c.email].filter(Boolean).join(' ').toLowerCase();
        if (name.includes(q)) return true;
        const qd = digits(q);
        return qd.length > 0 && c.phones.some((p) => digits(p.number).includes(qd));
      });
      const slice = found.slice((page - 1) * limit, page * limit);
      return send(res, 200, {
        success: true,
        pagination: { limit, totalCount: found.length, currentPage: page, totalPageCount: Math.max(1, Math.ceil(found.length / limit)) },
        customers: slice,
      });
    }

    if (req.method === 'POST' && path === '/api/customers/create') {
      const site = readSite(res, form.site);
      if (site === null) return;
      const c = parseJsonField(res, form, 'customer');
      if (!c) return;
      if (typeof c.email === 'string' && !c.email.includes('@')) {
        return fail(res, 400, 'Customer is not created', { email: 'This value is not a valid email address.' });
      }
      // A guess at RetailCRM's answer (unconfirmed): an externalId names one customer of a shop.
      if (typeof c.externalId === 'string' && customers.some((x) => x.externalId === c.externalId && x.site === site)) {
        return fail(res, 400, 'Customer is not created', { externalId: `Customer with externalId "${c.externalId}" already exists.` });
      }
      const customer = addCustomer({ ...(c as Partial<FakeRetailcrmCustomer>), id: undefined, site });
      return send(res, 201, { success: true, id: customer.id });
    }

    if ((m = path.match(/^\/api\/customers\/([^/]+)$/)) && req.method === 'GET') {
      // Without by=id RetailCRM reads the id as an externalId; site picks the shop the externalId belongs to.
      const id = decodeURIComponent(m[1]!);
      const site = readSite(res, req.query.site);
      if (site === null) return;
      const customer =
        req.query.by === 'id' ? customers.find((c) => String(c.id) === id) : customers.find((c) => c.externalId === id && c.site === site);
      return customer ? send(res, 200, { success: true, customer }) : fail(res, 404, 'Not found');
    }

    if (req.method === 'POST' && path === '/api/orders/create') {
      const site = readSite(res, form.site);
      if (site === null) return;
      const o = parseJsonField(res, form, 'order');
      if (!o) return;
      if (o.status !== undefined && !(String(o.status) in statuses)) {
        return fail(res, 400, 'Order is not created', { status: `Status "${String(o.status)}" does not exist.` });
      }
      // A guess at RetailCRM's answer (unconfirmed): an externalId names one order.
      if (typeof o.externalId === 'string' && orders.some((x) => x.externalId === o.externalId)) {
        return fail(res, 400, 'Order is not created', { externalId: `Order with externalId "${o.externalId}" already exists.` });
      }
      let customer: FakeRetailcrmCustomer | undefined;
      const ref = o.customer as { id?: number } | undefined;
      if (ref?.id !== undefined) {
        customer = customers.find((c) => c.id === Number(ref.id));
        if (!customer) return fail(res, 400, 'Order is not created', { 'customer[id]': `Customer with id ${ref.id} not found.` });
      } else if (o.phone || o.firstName) {
        customer = addCustomer({ firstName: o.firstName as string | undefined, lastName: o.lastName as string | undefined, phones: o.phone ? [{ number: String(o.phone) }] : [], site });
      }
      const items = Array.isArray(o.items) ? o.items : [];
      const totalSumm = items.reduce<number>((sum, it) => {
        const item = it as { initialPrice?: number; quantity?: number };
        return sum + (item.initialPrice ?? 0) * (item.quantity ?? 1);
      }, 0);
      const order = addOrder({ ...(o as Partial<FakeRetailcrmOrder>), id: undefined, number: undefined, site, customer, items, totalSumm, status: (o.status as string | undefined) ?? 'new' });
      return send(res, 201, { success: true, id: order.id, order });
    }

    if ((m = path.match(/^\/api\/orders\/([^/]+)$/)) && req.method === 'GET') {
      const order = findOrder(decodeURIComponent(m[1]!), req.query.by);
      return order ? send(res, 200, { success: true, order }) : fail(res, 404, 'Not found');
    }

    if ((m = path.match(/^\/api\/orders\/([^/]+)\/edit$/)) && req.method === 'POST') {
      const order = findOrder(decodeURIComponent(m[1]!), form.by);
      if (!order) return fail(res, 404, 'Not found');
      if (form.site !== undefined && form.site !== order.site) return fail(res, 404, 'Not found');
      const o = parseJsonField(res, form, 'order');
      if (!o) return;
      if (o.status !== undefined && !(String(o.status) in statuses)) {
        return fail(res, 400, 'Order is not loaded', { status: `Status "${String(o.status)}" does not exist.` });
      }
      Object.assign(order, o);
      return send(res, 200, { success: true, id: order.id, order });
    }

    return fail(res, 404, 'API method not found');
  }

  function findOrder(id: string, by: string | undefined): FakeRetailcrmOrder | undefined {
    // Without by=id RetailCRM reads the id as an externalId.
    return by === 'id' ? orders.find((o) => String(o.id) === id) : orders.find((o) => o.externalId === id);
  }

  function handleMg(req: FakeRetailcrmRequest, res: ServerResponse) {
    if (req.headers['x-bot-token'] !== mgToken) return send(res, 401, { errors: ['Invalid token'] });
    const failure = failures.shift();
    if (failure) return send(res, failure.status, failure.body ?? '', failure.headers);
    if (req.method === 'POST' && req.path === '/api/bot/v1/messages') {
      const b = req.json as Record<string, unknown> | undefined;
      const errors: string[] = [];
      if (!b || typeof b.chat_id !== 'number') errors.push('chat_id: must be a number');
      if (!b || !['public', 'private'].includes(String(b.scope))) errors.push('scope: must be public or private');
      if (!b || b.type !== 'text') errors.push('type: only text is supported by this fake');
      if (!b || typeof b.content !== 'string' || b.content === '') errors.push('content: must not be empty');
      if (errors.length) return send(res, 400, { errors });
      const message = { message_id: ++nextMessageId, chat_id: b!.chat_id as number, scope: String(b!.scope), type: 'text', content: String(b!.content) };
      chatMessages.push(message);
      return send(res, 200, { message_id: message.message_id, time: new Date(req.receivedAt).toISOString() });
    }
    return send(res, 404, { errors: ['Not found'] });
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const receivedAt = Date.now();
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const type = String(req.headers['content-type'] ?? '');
      const recorded: FakeRetailcrmRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        rawBody,
        receivedAt,
      };
      if (type.includes('application/x-www-form-urlencoded')) recorded.form = Object.fromEntries(new URLSearchParams(rawBody));
      else if (type.includes('json') && rawBody) {
        try {
          recorded.json = JSON.parse(rawBody);
        } catch {
          recorded.json = undefined;
        }
      }
      requests.push(recorded);
      const lose = losses.indexOf(url.pathname);
      if (lose !== -1) {
        losses.splice(lose, 1);
        lostAnswers.add(res);
      }
      if (url.pathname.startsWith('/api/bot/')) handleMg(recorded, res);
      else if (url.pathname.startsWith('/api/')) handleApi(recorded, res);
      else send(res, 404, '<html><body><h1>Page not found</h1></body></html>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    mgToken,
    sites,
    requests,
    customers,
    orders,
    chatMessages,
    statuses,
    paymentStatuses,
    addCustomer,
    addOrder,
    /** The next `n` API or Message Gateway calls (after the key check) get this answer. */
    failNext(n: number, reply: FakeReply) {
      for (let i = 0; i < n; i++) failures.push(reply);
    },
    /** The next `n` requests to `path` (e.g. /api/v5/orders/create) are carried out and their answers lost. */
    loseNext(n: number, path: string) {
      for (let i = 0; i < n; i++) losses.push(path);
    },
    /** Requests per second per key before 503; false switches the limit off. */
    setRateLimit(limit: number | false) {
      rateLimit = limit;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export type FakeRetailcrm = Awaited<ReturnType<typeof startFakeRetailcrm>>;

/** An HTML page as RetailCRM serves for a domain with no account behind it. */
export const retailcrmNoAccountPage = '<!DOCTYPE html><html><head><title>RetailCRM</title></head><body><h1>Account not found</h1></body></html>';
