// The Content API of the fake Twilio (content.twilio.com): `GET /v1/Content`, paged as Twilio pages
// its v1 APIs (PageSize, Page, PageToken; `meta.next_page_url` an absolute content.twilio.com URL).
import { randomBytes } from 'node:crypto';

/** A Content template as a test seeds it; `types` is the API's own object (`twilio/text`: { body }…). */
export interface FakeTwilioContent {
  sid?: string;
  friendlyName: string;
  language?: string;
  /** Sample values by variable key, e.g. { "1": "Ana" }. */
  variables?: Record<string, string>;
  types: Record<string, Record<string, unknown>>;
  dateCreated?: string;
}

export interface StoredContent extends FakeTwilioContent {
  sid: string;
}

/** The public origin Twilio writes in its URLs; clients must rebase it onto their base URL. */
export const contentOrigin = 'https://content.twilio.com';

export function contentSid(): string {
  return 'HX' + randomBytes(16).toString('hex');
}

export function storeContents(items: Iterable<FakeTwilioContent>): StoredContent[] {
  return [...items].map((c) => ({ ...c, sid: c.sid ?? contentSid() }));
}

function contentJson(accountSid: string, c: StoredContent) {
  const date = c.dateCreated ?? '2025-02-11T12:00:00Z';
  return {
    account_sid: accountSid,
    date_created: date,
    date_updated: date,
    friendly_name: c.friendlyName,
    language: c.language ?? 'en',
    links: {
      approval_create: `${contentOrigin}/v1/Content/${c.sid}/ApprovalRequests/whatsapp`,
      approval_fetch: `${contentOrigin}/v1/Content/${c.sid}/ApprovalRequests`,
    },
    sid: c.sid,
    types: c.types,
    url: `${contentOrigin}/v1/Content/${c.sid}`,
    variables: c.variables ?? {},
  };
}

export type ContentAnswer = { status: number; body: unknown };

/**
 * `GET /v1/Content`: newest last as created, PageSize 1..1000 (default 50). Page is only the client's
 * count; where a page starts is PageToken (`PA` + the sid of the previous page's last item).
 */
export function listContents(accountSid: string, contents: StoredContent[], query: URLSearchParams): ContentAnswer {
  const rawSize = query.get('PageSize');
  const pageSize = rawSize === null ? 50 : Number(rawSize);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    return { status: 400, body: { code: 20001, message: 'Invalid PageSize: must be between 1 and 1000', more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 } };
  }
  const page = Math.max(0, Number(query.get('Page') ?? 0) || 0);
  const token = query.get('PageToken');
  let start = 0;
  if (token) {
    const after = contents.findIndex((c) => `PA${c.sid}` === token);
    if (after === -1) return { status: 400, body: { code: 20001, message: `Invalid PageToken: ${token}`, more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 } };
    start = after + 1;
  } else if (page > 0) {
    start = page * pageSize;
  }
  const items = contents.slice(start, start + pageSize);
  const url = (p: number, t?: string) => `${contentOrigin}/v1/Content?PageSize=${pageSize}&Page=${p}${t ? `&PageToken=${t}` : ''}`;
  const last = items.at(-1);
  const hasNext = start + pageSize < contents.length && last !== undefined;
  const before = start > 0 ? contents[start - pageSize - 1] : undefined;
  return {
    status: 200,
    body: {
      contents: items.map((c) => contentJson(accountSid, c)),
      meta: {
        page,
        page_size: pageSize,
        first_page_url: url(0),
        previous_page_url: page > 0 ? url(page - 1, before ? `PA${before.sid}` : undefined) : null,
        url: url(page, token ?? undefined),
        next_page_url: hasNext ? url(page + 1, `PA${last.sid}`) : null,
        key: 'contents',
      },
    },
  };
}
