// The `templates` option source: the message templates of the connection's WhatsApp Business Account
// (`GET /{waba-id}/message_templates`), one item per name and language, only approved ones choosable.
import { ProviderError, type ConnectionContext, type HttpClient, type OptionItem, type OptionVariable } from '../define.js';
import { graphRequest, type WhatsAppAuth } from './graph.js';

/** Pages of `pageSize` templates, at most `maxPages` of them; what one template may add is bounded too. */
export const templateListLimits = { pageSize: 100, maxPages: 10, maxItems: 1000, maxComponents: 10, maxVariables: 100, maxTextLength: 4096 } as const;

interface GraphComponent {
  type?: string;
  text?: string;
  format?: string;
  example?: { body_text?: unknown[][]; body_text_named_params?: Array<{ param_name?: string; example?: string }> };
}

/** A template as the Graph API answers it (default fields). */
export interface GraphTemplate {
  id?: string;
  name?: string;
  language?: string;
  status?: string;
  category?: string;
  parameter_format?: 'POSITIONAL' | 'NAMED' | string;
  components?: GraphComponent[];
}

interface TemplatePage {
  data?: GraphTemplate[];
  paging?: { cursors?: { before?: string; after?: string }; next?: string };
}

const placeholder = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The BODY's placeholders, each once, in order (`{{1}}`, `{{2}}` by number; named ones as they appear), with their examples. */
export function bodyVariables(body: GraphComponent | undefined): OptionVariable[] {
  const text = (body?.text ?? '').slice(0, templateListLimits.maxTextLength);
  const keys: string[] = [];
  for (const m of text.matchAll(placeholder)) if (!keys.includes(m[1]!)) keys.push(m[1]!);
  const positional = keys.every((k) => /^\d+$/.test(k));
  if (positional) keys.sort((a, b) => Number(a) - Number(b));
  const positionalExamples = Array.isArray(body?.example?.body_text?.[0]) ? body.example.body_text[0] : [];
  const named = Array.isArray(body?.example?.body_text_named_params) ? body.example.body_text_named_params : [];
  return keys.slice(0, templateListLimits.maxVariables).map((key) => {
    const example = positional ? positionalExamples[Number(key) - 1] : named.find((p) => p?.param_name === key)?.example;
    return { key, type: 'text', ...(typeof example === 'string' || typeof example === 'number' ? { example: String(example) } : {}) };
  });
}

function disabledReason(t: GraphTemplate): string | null {
  if (t.status !== 'APPROVED') return `${t.status ?? 'Unknown status'}: only approved templates can be sent`;
  if (t.parameter_format === 'NAMED') return 'Uses named parameters, which this node does not send yet';
  return null;
}

/** One option of a template in one language; `languages` are all the languages the name exists in. */
export function templateOption(t: GraphTemplate & { name: string; language: string }, languages: string[]): OptionItem {
  const components = (t.components ?? []).slice(0, templateListLimits.maxComponents);
  const body = components.find((c) => c?.type === 'BODY');
  const variables = bodyVariables(body);
  const reason = disabledReason(t);
  const count = `${variables.length} parameter${variables.length === 1 ? '' : 's'}`;
  return {
    value: t.name,
    label: `${t.name} (${t.language})`,
    description: [t.category, t.status, count].filter(Boolean).join(' · '),
    ...(reason ? { disabled: true, disabledReason: reason } : {}),
    sets: { language: t.language },
    details: { ...(body?.text ? { text: body.text.slice(0, templateListLimits.maxTextLength) } : {}), variables, languages },
  };
}

export function missingWabaId(): ProviderError {
  return new ProviderError({
    message: 'Set the WhatsApp Business Account id on the connection to list its templates (Meta app › WhatsApp › API Setup › WhatsApp Business Account ID).',
    code: 'invalid_config',
    retryable: false,
    provider: 'whatsapp',
  });
}

/** Every page of the account's templates, going on with `paging.cursors.after` while there is a `paging.next`. */
export async function listTemplates(http: HttpClient, connection: ConnectionContext<WhatsAppAuth>): Promise<OptionItem[]> {
  const wabaId = connection.config.wabaId?.trim();
  if (!wabaId) throw missingWabaId();
  const found: Array<GraphTemplate & { name: string; language: string }> = [];
  let after: string | undefined;
  for (let n = 0; n < templateListLimits.maxPages && found.length < templateListLimits.maxItems; n++) {
    const query = new URLSearchParams({ limit: String(templateListLimits.pageSize), ...(after ? { after } : {}) });
    // The `next` URL is never called as such: it points at graph.facebook.com, not at the base URL.
    const page = (await graphRequest(http, connection, 'GET', `${encodeURIComponent(wabaId)}/message_templates?${query}`)) as TemplatePage;
    for (const t of Array.isArray(page?.data) ? page.data : []) {
      if (found.length >= templateListLimits.maxItems) break;
      if (typeof t?.name === 'string' && typeof t.language === 'string') found.push(t as GraphTemplate & { name: string; language: string });
    }
    after = page?.paging?.cursors?.after;
    if (!page?.paging?.next || !after) break;
  }
  const languages = new Map<string, string[]>();
  for (const t of found) languages.set(t.name, [...(languages.get(t.name) ?? []), t.language]);
  return found.map((t) => templateOption(t, languages.get(t.name)!));
}
