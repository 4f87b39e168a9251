// Message templates of the fake WhatsApp Business Account: `GET /{version}/{waba-id}/message_templates`
// answered as the Graph API does, `{ data, paging: { cursors: { before, after }, next? } }`, paged by
// `limit` (default 25) and the `after` / `before` cursors.
import { randomBytes } from 'node:crypto';

export type FakeTemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'IN_APPEAL' | 'LIMIT_EXCEEDED';

/** A template as a test seeds it; `body` becomes its BODY component (with `example.body_text` from `examples`). */
export interface FakeWhatsAppTemplate {
  name: string;
  language?: string;
  status?: FakeTemplateStatus;
  category?: 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';
  parameterFormat?: 'POSITIONAL' | 'NAMED';
  body: string;
  /** Sample values of {{1}}, {{2}} … (positional) or by name (named). */
  examples?: string[] | Record<string, string>;
  header?: string;
  footer?: string;
  id?: string;
}

export interface StoredTemplate extends FakeWhatsAppTemplate {
  id: string;
}

export const graphOrigin = 'https://graph.facebook.com';

export function storeTemplates(items: Iterable<FakeWhatsAppTemplate>): StoredTemplate[] {
  return [...items].map((t) => ({ ...t, id: t.id ?? String(1_000_000_000_000_000n + BigInt(`0x${randomBytes(6).toString('hex')}`)) }));
}

function bodyExample(t: FakeWhatsAppTemplate) {
  if (!t.examples) return undefined;
  if (Array.isArray(t.examples)) return { body_text: [t.examples] };
  return { body_text_named_params: Object.entries(t.examples).map(([param_name, example]) => ({ param_name, example })) };
}

function templateJson(t: StoredTemplate) {
  const example = bodyExample(t);
  return {
    name: t.name,
    parameter_format: t.parameterFormat ?? 'POSITIONAL',
    components: [
      ...(t.header ? [{ type: 'HEADER', format: 'TEXT', text: t.header }] : []),
      { type: 'BODY', text: t.body, ...(example ? { example } : {}) },
      ...(t.footer ? [{ type: 'FOOTER', text: t.footer }] : []),
    ],
    language: t.language ?? 'en_US',
    status: t.status ?? 'APPROVED',
    category: t.category ?? 'UTILITY',
    id: t.id,
  };
}

// Graph cursors are opaque base64 strings; these carry the id of the template they stand at.
const cursorOf = (t: StoredTemplate) => Buffer.from(`tpl:${t.id}`).toString('base64url');
const idOfCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8').replace(/^tpl:/, '');

export type TemplatesAnswer = { status: number; body: unknown };

export function listTemplatesPage(version: string, wabaId: string, templates: StoredTemplate[], query: Record<string, string>): TemplatesAnswer {
  const limit = query.limit === undefined ? 25 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    return { status: 400, body: { error: { message: '(#100) Param limit must be a positive integer', type: 'OAuthException', code: 100, fbtrace_id: 'Afake' } } };
  }
  let start = 0;
  if (query.after) {
    const i = templates.findIndex((t) => t.id === idOfCursor(query.after!));
    if (i === -1) return { status: 400, body: { error: { message: '(#100) Invalid after cursor', type: 'OAuthException', code: 100, fbtrace_id: 'Afake' } } };
    start = i + 1;
  }
  const items = templates.slice(start, start + limit);
  const first = items[0];
  const last = items.at(-1);
  const more = start + items.length < templates.length;
  return {
    status: 200,
    body: {
      data: items.map(templateJson),
      paging: {
        ...(first && last ? { cursors: { before: cursorOf(first), after: cursorOf(last) } } : {}),
        ...(more && last ? { next: `${graphOrigin}/${version}/${wabaId}/message_templates?limit=${limit}&after=${cursorOf(last)}` } : {}),
      },
    },
  };
}
