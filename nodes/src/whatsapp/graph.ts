// Calls to the Graph API with the connection's token, and Graph errors classified by their own code.
import { ambiguousStatus, ProviderError, parseRetryAfter, type ConnectionContext, type HttpClient, type HttpResponse } from '../define.js';

export const graphApiUrl = 'https://graph.facebook.com';
export const defaultApiVersion = 'v21.0';

export interface WhatsAppAuth {
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberId: string;
  /** The WhatsApp Business Account the templates belong to. */
  wabaId?: string;
  apiVersion?: string;
  baseUrl?: string;
}

interface GraphErrorBody {
  error?: { message?: string; type?: string; code?: number; error_subcode?: number; error_data?: { details?: string }; fbtrace_id?: string };
}

// Throughput, account and pair rate limits, and Graph's own "temporarily unavailable" codes.
const retryableCodes = new Set([130429, 80007, 131056, 2, 4, 131016]);

/** A Graph error as a ProviderError: retryable or not by its `code`, whatever the HTTP status. */
export function graphError(res: HttpResponse): ProviderError {
  const err = (typeof res.body === 'object' && res.body !== null ? (res.body as GraphErrorBody) : {}).error;
  if (!err || typeof err.code !== 'number') {
    const retryable = res.status === 429 || res.status >= 500;
    return new ProviderError({
      message: `WhatsApp answered HTTP ${res.status}: ${res.text.slice(0, 200)}`,
      code: res.status,
      status: res.status,
      ambiguous: ambiguousStatus(res.status),
      retryable,
      retryAfterMs: retryable ? parseRetryAfter(res.headers['retry-after']) : undefined,
      provider: 'whatsapp',
    });
  }
  const code = err.code;
  const retryable = retryableCodes.has(code);
  let message = err.message ?? 'Unknown Graph error';
  if (!message.startsWith(`(#${code})`)) message = `(#${code}) ${message}`;
  if (err.error_data?.details) message += `: ${err.error_data.details}`;
  if (code === 190) message += ' — the access token is invalid or expired: create a new (system user) token and update the connection';
  return new ProviderError({
    message,
    code,
    status: res.status,
    ambiguous: ambiguousStatus(res.status),
    retryable,
    retryAfterMs: retryable ? parseRetryAfter(res.headers['retry-after']) : undefined,
    provider: 'whatsapp',
  });
}

export function graphUrl(auth: WhatsAppAuth, path: string): string {
  const base = (auth.baseUrl ?? graphApiUrl).replace(/\/+$/, '');
  return `${base}/${auth.apiVersion ?? defaultApiVersion}/${path.replace(/^\/+/, '')}`;
}

export async function graphRequest(http: HttpClient, connection: ConnectionContext<WhatsAppAuth>, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const res = await http({
    method,
    url: graphUrl(connection.config, path),
    headers: { authorization: `Bearer ${connection.config.accessToken}` },
    body,
  });
  if (res.status >= 200 && res.status < 300) return res.body;
  throw graphError(res);
}

/** `to` as the Cloud API wants it: digits only. */
export function waDigits(to: string): string {
  return to.replace(/[+\-()\s]/g, '').replace(/^whatsapp:/, '');
}

interface SendAnswer {
  contacts?: Array<{ input?: string; wa_id?: string }>;
  messages?: Array<{ id?: string; message_status?: string }>;
}

export interface WhatsAppSendResult {
  messageId: string;
  to: string;
  waId: string;
  status: string;
}

/** Sends one message (text or template body) and returns its id and the recipient's canonical wa_id. */
export async function sendWhatsAppMessage(http: HttpClient, connection: ConnectionContext<WhatsAppAuth>, to: string, message: Record<string, unknown>): Promise<WhatsAppSendResult> {
  const digits = waDigits(to);
  const answer = (await graphRequest(http, connection, 'POST', `${connection.config.phoneNumberId}/messages`, {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: digits,
    ...message,
  })) as SendAnswer;
  const id = answer?.messages?.[0]?.id;
  if (!id) throw new ProviderError({ message: 'WhatsApp accepted the message but returned no message id', code: 'no_message_id', retryable: false, provider: 'whatsapp', ambiguous: true });
  return { messageId: id, to: digits, waId: answer.contacts?.[0]?.wa_id ?? digits, status: answer.messages?.[0]?.message_status ?? 'accepted' };
}
