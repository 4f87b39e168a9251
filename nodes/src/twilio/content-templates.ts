// The `contentTemplates` option source: the account's Content templates (content.twilio.com, through
// the official SDK), each with the text of its first type that has a body and its variables.
import type { ConnectionContext, OptionItem, OptionVariable } from '../define.js';
import { asProviderError, twilioClient, type TwilioAuth } from './client.js';

/** How much of an account is listed: pages of `pageSize`, at most `maxPages` of them (so `maxItems` templates). */
export const contentListLimits = { pageSize: 100, maxPages: 10, maxItems: 1000, maxVariables: 100, maxTextLength: 4096 } as const;

/** The fields of a Content resource the picker reads (the SDK's ContentInstance). */
export interface ContentResource {
  sid: string;
  friendlyName?: string | null;
  language?: string | null;
  variables?: Record<string, unknown> | null;
  types?: Record<string, unknown> | null;
}

/** A page of the SDK's list, structurally (its ContentPage's `nextPage()` answers a plain Page). */
interface SdkPage {
  instances: ContentResource[];
  nextPageUrl?: string;
  nextPage(): Promise<SdkPage> | undefined;
}

/** The text of the first content type that has a `body` (`twilio/text`, `twilio/quick-reply`, `twilio/media`…). */
export function contentText(types: ContentResource['types']): { type: string; text: string } | null {
  for (const [type, value] of Object.entries(types ?? {})) {
    const body = typeof value === 'object' && value !== null ? (value as { body?: unknown }).body : undefined;
    if (typeof body === 'string') return { type, text: body.slice(0, contentListLimits.maxTextLength) };
  }
  return null;
}

const placeholder = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Variables in their order: numbers by value, then names; keys from `variables` and from the text's placeholders. */
export function contentVariables(variables: ContentResource['variables'], text: string | undefined): OptionVariable[] {
  const samples = variables && typeof variables === 'object' ? variables : {};
  const keys = new Set(Object.keys(samples));
  for (const m of (text ?? '').matchAll(placeholder)) keys.add(m[1]!);
  const ordered = [...keys].sort((a, b) => {
    const na = /^\d+$/.test(a) ? Number(a) : NaN;
    const nb = /^\d+$/.test(b) ? Number(b) : NaN;
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    if (!Number.isNaN(na)) return -1;
    if (!Number.isNaN(nb)) return 1;
    return a.localeCompare(b);
  });
  return ordered.slice(0, contentListLimits.maxVariables).map((key) => {
    const sample = samples[key];
    return { key, ...(typeof sample === 'string' || typeof sample === 'number' ? { example: String(sample) } : {}) };
  });
}

export function contentOption(c: ContentResource): OptionItem {
  const body = contentText(c.types);
  const name = c.friendlyName || c.sid;
  const types = Object.keys(c.types ?? {});
  return {
    value: c.sid,
    label: c.language ? `${name} (${c.language})` : name,
    ...(types.length > 0 ? { description: types.slice(0, 10).join(', ') } : {}),
    details: {
      ...(body ? { text: body.text } : {}),
      variables: contentVariables(c.variables, body?.text),
      ...(c.language ? { languages: [c.language] } : {}),
    },
  };
}

/** Every page of `GET /v1/Content`, followed through `meta.next_page_url`, bounded by contentListLimits. */
export async function listContentTemplates(connection: ConnectionContext<TwilioAuth>): Promise<OptionItem[]> {
  const client = await twilioClient(connection);
  const out: OptionItem[] = [];
  try {
    let page: SdkPage = await client.content.v1.contents.page({ pageSize: contentListLimits.pageSize });
    for (let n = 1; ; n++) {
      for (const c of page.instances) {
        if (out.length >= contentListLimits.maxItems) return out;
        out.push(contentOption(c));
      }
      if (n >= contentListLimits.maxPages || !page.nextPageUrl) return out;
      const next = await page.nextPage();
      if (!next) return out;
      page = next;
    }
  } catch (err) {
    throw asProviderError(err);
  }
}
