// The official twilio SDK, loaded lazily, with its HTTP client pointed at the connection's base URL
// and every non-2xx answer turned into a classified ProviderError.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type TwilioSdk from 'twilio';
import { ambiguousStatus, ProviderError, parseRetryAfter, type ConnectionContext, type MessageRecord } from '../define.js';
import { sendRequest, TransportError, type TransportRequest } from './transport.js';

export const twilioApiUrl = 'https://api.twilio.com';

export interface TwilioAuth {
  accountSid: string;
  authToken: string;
  publicUrl?: string;
  baseUrl?: string;
}

interface TwilioErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
  status?: number;
}

// Codes Twilio documents as "slow down and try again"; everything else in 4xx is permanent.
const retryableCodes = new Set([20429, 20500, 20503]);

/** Classifies a Twilio REST answer from its own error code, falling back to the HTTP status. */
export function twilioError(status: number, body: unknown, headers: Record<string, unknown> = {}): ProviderError {
  const err: TwilioErrorBody = typeof body === 'object' && body !== null ? (body as TwilioErrorBody) : {};
  const code = typeof err.code === 'number' ? err.code : status;
  const retryable = status === 429 || status >= 500 || retryableCodes.has(code);
  const retryAfter = headers['retry-after'];
  return new ProviderError({
    message: err.message ?? `Twilio answered HTTP ${status}`,
    code,
    status,
    retryable,
    retryAfterMs: retryable ? parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined) : undefined,
    provider: 'twilio',
    ambiguous: ambiguousStatus(status),
  });
}

function networkError(err: unknown, uri: string): ProviderError {
  if (err instanceof TransportError) return new ProviderError({ message: err.message, code: err.code, retryable: err.code !== 'address_not_allowed', provider: 'twilio', ambiguous: err.mayHaveArrived });
  return new ProviderError({ message: `Could not reach ${new URL(uri).host}: ${(err as Error).message ?? String(err)}`, code: 'network_error', retryable: true, provider: 'twilio', ambiguous: true });
}

/** Keeps path and query of an SDK URL and swaps its origin (plus any path prefix) for `baseUrl`. */
export function rebaseUrl(uri: string, baseUrl: string | undefined): string {
  if (!baseUrl) return uri;
  const target = new URL(uri);
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${prefix}${target.pathname}${target.search}`;
}

type Sdk = typeof TwilioSdk;
type Twilio = TwilioSdk.Twilio;
/** The SDK's Response class, structurally. */
type SdkResponse<T> = { statusCode: number; body: T; headers: unknown; toString(): string };
type RequestOptions<T> = Parameters<TwilioSdk.RequestClient['request']>[0] & { data?: T };

let sdk: Promise<Sdk> | undefined;
function loadSdk(): Promise<Sdk> {
  // A CommonJS package: its module.exports arrives as the default export.
  sdk ??= import('twilio').then((m) => ((m as unknown as { default?: Sdk }).default ?? (m as unknown as Sdk)));
  return sdk;
}

const timeoutMs = 15_000;

async function createClient(auth: TwilioAuth, allowedHosts: readonly string[] | undefined): Promise<Twilio> {
  const twilio = await loadSdk();
  class BaseUrlRequestClient extends twilio.RequestClient {
    override async request<TData>(opts: RequestOptions<TData>) {
      const uri = rebaseUrl(opts.uri, auth.baseUrl);
      let res;
      try {
        res = await sendRequest(opts as TransportRequest, uri, timeoutMs, allowedHosts);
      } catch (err) {
        throw networkError(err, uri);
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        let body: unknown = res.body;
        if (typeof body === 'string') {
          const text = body;
          try {
            body = JSON.parse(text);
          } catch {
            body = { message: `Twilio answered HTTP ${res.statusCode}: ${text.slice(0, 200)}` };
          }
        }
        throw twilioError(res.statusCode, body, res.headers as Record<string, unknown>);
      }
      // The SDK reads statusCode, body (a JSON string it parses) and headers.
      return res as unknown as SdkResponse<TData>;
    }
  }
  try {
    return twilio(auth.accountSid, auth.authToken, { httpClient: new BaseUrlRequestClient({ timeout: timeoutMs }) });
  } catch (err) {
    // The SDK refuses malformed SIDs before any request.
    throw new ProviderError({ message: (err as Error).message, code: 'invalid_config', retryable: false, provider: 'twilio' });
  }
}

/** The SDK client kept in a connection's memo, with the credentials it was made for. */
interface KeptClient {
  accountSid: string;
  authToken: string;
  baseUrl: string | undefined;
  client: Promise<Twilio>;
}

const clientKey = 'twilio.client:current';

/** One SDK client per connection and credentials, kept in the connection's memo (compared, not hashed, per send). */
export function twilioClient(connection: ConnectionContext<TwilioAuth>): Promise<Twilio> {
  const { accountSid, authToken, baseUrl } = connection.config;
  const kept = connection.memo.get(clientKey) as KeptClient | undefined;
  if (kept && kept.accountSid === accountSid && kept.authToken === authToken && kept.baseUrl === baseUrl) return kept.client;
  // A change of the workspace's allowed hosts reloads the connection, and with it this memo.
  const client = createClient(connection.config, connection.allowedHosts);
  const made: KeptClient = { accountSid, authToken, baseUrl, client };
  client.catch(() => {
    if (connection.memo.get(clientKey) === made) connection.memo.delete(clientKey);
  });
  connection.memo.set(clientKey, made);
  return client;
}

/** Re-throws anything that is not already a ProviderError as a permanent one (SDK parameter checks). */
export function asProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  return new ProviderError({ message: err instanceof Error ? err.message : String(err), code: 'invalid_request', retryable: false, provider: 'twilio' });
}

/**
 * An international number written with spaces, dashes or brackets becomes E.164 (`+55 (11) 99876-5432` →
 * `+5511998765432`); anything else (short codes, alphanumeric senders, national numbers) is left to Twilio to judge.
 */
export function toE164(address: string): string {
  const trimmed = address.trim();
  const prefix = trimmed.startsWith('whatsapp:') ? 'whatsapp:' : '';
  const number = trimmed.slice(prefix.length).trim();
  if (!number.startsWith('+')) return prefix + number;
  // Already E.164: nothing for libphonenumber to do (it is a measurable cost per send).
  if (/^\+[1-9]\d{6,14}$/.test(number)) return prefix + number;
  const parsed = parsePhoneNumberFromString(number);
  return prefix + (parsed?.isPossible() ? parsed.number : number);
}

export function whatsappAddress(address: string): string {
  const e164 = toE164(address);
  return e164.startsWith('whatsapp:') ? e164 : `whatsapp:${e164}`;
}

export interface SendInput {
  from: string;
  to: string;
  body?: string;
  contentSid?: string;
  contentVariables?: Record<string, unknown>;
  channel: 'sms' | 'whatsapp';
}

export interface SendResult {
  sid: string;
  status: string;
  to: string;
  from: string;
  segments: number;
  dateCreated: string;
}

type SdkMessage = Awaited<ReturnType<Twilio['messages']['create']>>;

/** A created message as the step's output and as a row of the message log. */
function sentMessage(message: SdkMessage, input: SendInput): { result: SendResult; record: MessageRecord } {
  const result: SendResult = {
    sid: message.sid,
    status: message.status,
    to: message.to ?? input.to,
    from: message.from ?? input.from,
    segments: Number(message.numSegments ?? '1') || 0,
    dateCreated: (message.dateCreated instanceof Date && !Number.isNaN(message.dateCreated.getTime()) ? message.dateCreated : new Date()).toISOString(),
  };
  const record: MessageRecord = {
    direction: 'outbound',
    channel: input.channel,
    from: result.from,
    to: input.to,
    text: input.body ?? (input.contentSid ? `[template ${input.contentSid}]` : null),
    providerMessageId: result.sid,
    status: result.status,
    conversationKey: input.to,
  };
  return { result, record };
}

/** Creates one message and returns it with the message-log record of it. */
export async function sendTwilioMessage(connection: ConnectionContext<TwilioAuth>, input: SendInput): Promise<{ result: SendResult; record: MessageRecord }> {
  const client = await twilioClient(connection);
  const statusCallback = connection.config.publicUrl ?? connection.webhookUrl;
  let message;
  try {
    message = await client.messages.create({
      to: input.to,
      from: input.from,
      ...(input.body !== undefined && input.body !== '' ? { body: input.body } : {}),
      ...(input.contentSid ? { contentSid: input.contentSid } : {}),
      ...(input.contentSid && input.contentVariables ? { contentVariables: JSON.stringify(input.contentVariables) } : {}),
      ...(/^https?:\/\//.test(statusCallback) ? { statusCallback } : {}),
    });
  } catch (err) {
    throw asProviderError(err);
  }
  return sentMessage(message, input);
}

/** Clock difference allowed between this server and Twilio when matching a message to an attempt. */
const skewMs = 60_000;
/** Messages looked through at most (newest first) before giving up. */
const maxScanned = 10_000;

/**
 * The message an attempt whose outcome is unknown created, if Twilio has it: among the messages between
 * the same two addresses (newest first), one created since the attempt started (less a minute of clock
 * difference), with the same text, that the message log does not already hold. DateSent is not used as a
 * filter although Twilio offers it: it stays empty while a message is queued, which would hide the very
 * message looked for. A template send (ContentSid) cannot be matched by its text: Twilio cannot tell.
 */
export async function findTwilioMessage(
  connection: ConnectionContext<TwilioAuth>,
  input: SendInput,
  since: Date,
  knownMessageIds: (ids: string[]) => Promise<Set<string>>,
): Promise<{ result: SendResult; record: MessageRecord } | null> {
  if (input.contentSid) {
    throw new ProviderError({ message: 'Twilio cannot tell whether a template message went out: its text is not known here', code: 'cannot_reconcile', retryable: false, provider: 'twilio' });
  }
  const client = await twilioClient(connection);
  const cutoff = since.getTime() - skewMs;
  const matches: SdkMessage[] = [];
  try {
    type Page = { instances: SdkMessage[]; nextPage(): Promise<Page> | undefined };
    let page: Page | undefined = (await client.messages.page({ to: input.to, from: input.from, pageSize: 1000 })) as unknown as Page;
    for (let scanned = 0; page; ) {
      let reachedOlder = false;
      for (const m of page.instances) {
        if ((m.dateCreated?.getTime() ?? 0) < cutoff) reachedOlder = true;
        else if ((m.body ?? '') === (input.body ?? '')) matches.push(m);
      }
      scanned += page.instances.length;
      if (reachedOlder || page.instances.length === 0) break;
      if (scanned >= maxScanned) {
        throw new ProviderError({ message: `more than ${maxScanned} messages between ${input.from} and ${input.to} since the attempt: Twilio cannot tell which is this one`, code: 'cannot_reconcile', retryable: false, provider: 'twilio' });
      }
      page = await page.nextPage();
    }
  } catch (err) {
    throw asProviderError(err);
  }
  if (matches.length === 0) return null;
  const known = await knownMessageIds(matches.map((m) => m.sid));
  // Oldest first: the attempt came before any later send of the same text.
  const mine = matches.reverse().find((m) => !known.has(m.sid));
  return mine ? sentMessage(mine, input) : null;
}
