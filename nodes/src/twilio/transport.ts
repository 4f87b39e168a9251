// The transport under the official twilio SDK. The SDK takes a custom `httpClient` (its documented
// extension point): it still builds every request (URL, parameters, credentials) and reads every
// answer; this sends it with node's own http(s) over kept-alive sockets, to the connection's base URL.
// The SDK's default client goes through axios, which cost more CPU per message than all of our own
// code on the send path; behaviour is the same (no redirects, a timeout, 4xx/5xx returned as answers).
import http from 'node:http';
import https from 'node:https';
import { mayHaveArrived } from '../http.js';
import { ADDRESS_NOT_ALLOWED, literalAddressRefusal, guardFor, type AddressGuard } from '../address-guard.js';

export interface TransportRequest {
  method: string;
  uri: string;
  username?: string;
  password?: string;
  authStrategy?: { getAuthString(): Promise<string> };
  headers?: Record<string, string>;
  params?: object;
  data?: object;
  timeout?: number;
}

export interface TransportResponse {
  statusCode: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: 'timeout' | 'network_error' | 'address_not_allowed',
    /** Whether the request may have reached the server before the failure (see mayHaveArrived). */
    readonly mayHaveArrived = true,
  ) {
    super(message);
  }
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 }),
};

/** One form value as the SDK's encoder (qs) writes it: null empty, a date in ISO form. */
function formValue(value: unknown): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Twilio's form encoding: arrays repeat their key (`To=a&To=b`), like the SDK's `arrayFormat: 'repeat'`.
 * The SDK has already flattened its parameters; a nested object (which Twilio's API never takes) is sent as JSON.
 */
export function encodeForm(data: object): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) form.append(key, formValue(v));
    else form.append(key, formValue(value));
  }
  return form.toString();
}

const guarded = new WeakMap<AddressGuard, { 'http:': http.Agent; 'https:': https.Agent }>();
/** Kept-alive agents that connect only where the guard allows (its lookup runs for every new socket). */
function guardedAgent(guard: AddressGuard, protocol: string): http.Agent {
  let pair = guarded.get(guard);
  if (!pair) {
    const options = { keepAlive: true, maxSockets: 64, maxFreeSockets: 64, lookup: guard.lookup };
    pair = { 'http:': new http.Agent(options), 'https:': new https.Agent(options) };
    guarded.set(guard, pair);
  }
  return pair[protocol === 'https:' ? 'https:' : 'http:'];
}

export async function sendRequest(opts: TransportRequest, uri: string, defaultTimeoutMs: number, allowedHosts?: readonly string[]): Promise<TransportResponse> {
  const url = new URL(uri);
  if (opts.params) {
    const query = encodeForm(opts.params);
    if (query) url.search = url.search ? `${url.search}&${query}` : `?${query}`;
  }
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.username && opts.password) headers.Authorization = 'Basic ' + Buffer.from(`${opts.username}:${opts.password}`).toString('base64');
  else if (opts.authStrategy) headers.Authorization = await opts.authStrategy.getAuthString();
  let body: string | undefined;
  const type = headers['Content-Type'] ?? headers['content-type'];
  // Like the SDK's own client: a body only for the two types it sends.
  if (opts.data && (type === 'application/x-www-form-urlencoded' || type === 'application/json')) {
    body = type === 'application/json' ? JSON.stringify(opts.data) : encodeForm(opts.data);
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  const timeoutMs = opts.timeout || defaultTimeoutMs;
  const transport = url.protocol === 'https:' ? https : http;
  const guard = guardFor(allowedHosts);
  const literal = guard ? literalAddressRefusal(guard, url) : null;
  if (literal) throw new TransportError(`Not called: ${literal}.`, 'address_not_allowed', false);
  const agent = guard ? guardedAgent(guard, url.protocol) : agents[url.protocol as keyof typeof agents];
  return new Promise((resolve, reject) => {
    // The timeout covers the whole exchange (as axios's did), not only a silent socket.
    const timer = setTimeout(() => req.destroy(new TransportError(`No answer from ${url.host} within ${timeoutMs} ms`, 'timeout')), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === ADDRESS_NOT_ALLOWED) return reject(new TransportError(`Not called: ${err.message}.`, 'address_not_allowed', false));
      reject(err instanceof TransportError ? err : new TransportError(`Could not reach ${url.host}: ${err.message}`, 'network_error', mayHaveArrived(code)));
    };
    const req = transport.request(url, { method: opts.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
      });
    });
    req.on('error', fail);
    req.end(body);
  });
}
