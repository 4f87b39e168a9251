// The message log: filters for the table and the conversation view, and replies through the same channel.
import { and, desc, eq, getTableColumns, ilike, max, sql, type SQL } from 'drizzle-orm';
import { ProviderError, type Logger, type RateLimiter } from '@bundles/nodes';
import type { Message } from '@bundles/shared';
import type pg from 'pg';
import type { Db } from '../db/index.js';
import { messages, runs } from '../db/schema/index.js';
import type { ConnectionStore } from '../runtime/connections.js';
import { AppError, notFound } from './errors.js';
import { timeBounds } from './time-bounds.js';
import { providerContext } from './provider-context.js';
import { isUuid } from '../ids.js';

type Row = typeof messages.$inferSelect;

export interface MessageQuery {
  provider?: string | undefined;
  connectionId?: string | undefined;
  status?: string | undefined;
  direction?: 'inbound' | 'outbound' | undefined;
  from?: string | undefined;
  to?: string | undefined;
  conversation?: string | undefined;
  /** Messages sent by runs of this bundle. */
  flowId?: string | undefined;
  /** Text search in the message text, case-insensitive (see textSearch). */
  q?: string | undefined;
  limit?: number | undefined;
}

/** The shortest and longest text search. */
export const SEARCH_MIN = 3;
export const SEARCH_MAX = 200;

/**
 * How many of the newest messages (after the indexed filters: workspace, connection, conversation, dates) a
 * search by text or by bundle reads. These filters have no index of their own: a trigram index and a bundle
 * index cost 455 bytes a message on the hot path (measured with pnpm bench --quick, W1: 370 → 825), for a
 * search users make now and then. So a search reads a bounded window, newest first, in one index range; a
 * date range (`to`) moves the window to older messages.
 */
export const SEARCH_WINDOW = 20_000;

function present(r: Row, flowId: string | null): Message {
  return {
    id: r.id,
    provider: r.provider,
    connectionId: r.connectionId,
    direction: r.direction,
    channel: r.channel,
    from: r.from,
    to: r.to,
    text: r.text,
    providerMessageId: r.providerMessageId,
    status: r.status,
    error: r.error ?? null,
    conversationKey: r.conversationKey,
    runId: r.runId,
    flowId,
    createdAt: r.createdAt.toISOString(),
    updatedAt: (r.updatedAt ?? r.createdAt).toISOString(),
  };
}


export class MessageService {
  constructor(private deps: { db: Db; pool: pg.Pool; store: ConnectionStore; limiter: RateLimiter; log: Logger }) {}

  async list(workspaceId: string, q: MessageQuery): Promise<Message[]> {
    const where: SQL[] = [eq(messages.workspaceId, workspaceId)];
    if (q.provider) where.push(eq(messages.provider, q.provider));
    if (q.connectionId) where.push(eq(messages.connectionId, q.connectionId));
    if (q.status) where.push(eq(messages.status, q.status));
    if (q.direction) where.push(eq(messages.direction, q.direction));
    if (q.conversation) where.push(eq(messages.conversationKey, q.conversation));
    where.push(...timeBounds(messages.createdAt, q));
    const term = q.q?.trim();
    if (term !== undefined && (term.length < SEARCH_MIN || term.length > SEARCH_MAX)) {
      throw new AppError(422, 'invalid_request', `Search for ${SEARCH_MIN} to ${SEARCH_MAX} characters.`, { issues: [{ field: 'q', message: `${SEARCH_MIN} to ${SEARCH_MAX} characters` }] });
    }
    const limit = Math.min(q.limit ?? 100, 1000);
    const bundleOf = sql<string | null>`(select r.flow_id from ${runs} r where r.id = ${messages.runId})`;
    if (term === undefined && !q.flowId) {
      const rows = await this.deps.db.select({ m: messages, flowId: bundleOf }).from(messages).where(and(...where)).orderBy(desc(messages.createdAt)).limit(limit);
      return rows.map((r) => present(r.m, r.flowId));
    }
    // The newest SEARCH_WINDOW messages of the indexed filters, then the text and the bundle among them.
    const window = this.deps.db.select().from(messages).where(and(...where)).orderBy(desc(messages.createdAt)).limit(SEARCH_WINDOW).as('w');
    const found: SQL[] = [];
    // Case-insensitive, with LIKE's wildcards in the term taken literally.
    if (term !== undefined) found.push(ilike(window.text, `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
    if (q.flowId) found.push(sql`exists (select 1 from ${runs} r where r.id = ${window.runId} and r.flow_id = ${q.flowId})`);
    const windowBundle = sql<string | null>`(select r.flow_id from ${runs} r where r.id = ${window.runId})`;
    const columns = Object.fromEntries(Object.keys(getTableColumns(messages)).map((k) => [k, window[k as keyof typeof window]])) as unknown as typeof window._.selectedFields;
    const rows = await this.deps.db.select({ ...columns, bundle: windowBundle }).from(window).where(and(...found)).orderBy(desc(window.createdAt)).limit(limit);
    return rows.map(({ bundle, ...m }) => present(m as Row, bundle as string | null));
  }

  async reply(workspaceId: string, id: string, text: string): Promise<Message> {
    if (!isUuid(id)) throw notFound('Message');
    const [original] = await this.deps.db.select().from(messages).where(and(eq(messages.id, id), eq(messages.workspaceId, workspaceId)));
    if (!original) throw notFound('Message');
    const conn = await this.deps.store.get(original.connectionId);
    if (!conn) throw new AppError(422, 'cannot_reply', 'The connection of this message was deleted: there is no channel to reply through.');
    if (!conn.provider.reply) throw new AppError(422, 'cannot_reply', `${conn.provider.title} messages cannot be answered from Bundles.`);
    const [last] = original.conversationKey
      ? await this.deps.db
          .select({ at: max(messages.createdAt) })
          .from(messages)
          .where(and(eq(messages.connectionId, original.connectionId), eq(messages.conversationKey, original.conversationKey), eq(messages.direction, 'inbound')))
      : [];
    let record;
    try {
      record = await conn.provider.reply(
        providerContext(this.deps, conn.context),
        {
          id: original.id,
          direction: original.direction,
          channel: original.channel,
          from: original.from,
          to: original.to,
          text: original.text,
          providerMessageId: original.providerMessageId,
          status: original.status,
          conversationKey: original.conversationKey,
          createdAt: original.createdAt,
          lastInboundAt: last?.at ? new Date(last.at) : null,
        },
        text,
      );
    } catch (err) {
      if (err instanceof ProviderError) {
        const status = err.retryable ? 502 : 422;
        throw new AppError(status, err.retryable ? 'provider_unavailable' : 'cannot_reply', err.message, { providerCode: err.code ?? null });
      }
      throw err;
    }
    const [row] = await this.deps.db
      .insert(messages)
      .values({
        workspaceId,
        connectionId: original.connectionId,
        provider: original.provider,
        direction: 'outbound',
        channel: record.channel,
        from: record.from ?? null,
        to: record.to ?? null,
        text: record.text ?? text,
        providerMessageId: record.providerMessageId ?? null,
        status: record.status,
        conversationKey: record.conversationKey ?? original.conversationKey,
      })
      .returning();
    return present(row!, null);
  }
}
