// The message log: filters for the table and the conversation view, and replies through the same channel.
import { and, desc, eq, gte, ilike, lte, max, type SQL } from 'drizzle-orm';
import { ProviderError, type Logger, type RateLimiter } from '@bundles/nodes';
import type { Message } from '@bundles/shared';
import type pg from 'pg';
import type { Db } from '../db/index.js';
import { messages } from '../db/schema/index.js';
import type { ConnectionStore } from '../runtime/connections.js';
import { AppError, notFound } from './errors.js';
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

/** The shortest and longest text search: pg_trgm's index needs three characters to narrow anything. */
export const SEARCH_MIN = 3;
export const SEARCH_MAX = 200;

/**
 * `text ILIKE '%q%'`, with LIKE's wildcards in `q` taken literally. It is answered by messages_text_trgm_idx,
 * a pg_trgm GIN index (the embedded PostgreSQL ships the extension; migration 0014 creates it), ANDed with
 * the other filters' indexes: no scan of the workspace's messages.
 */
function textSearch(q: string): SQL {
  return ilike(messages.text, `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

function present(r: Row): Message {
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
    flowId: r.flowId,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
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
    if (q.flowId) where.push(eq(messages.flowId, q.flowId));
    if (q.q !== undefined) {
      const term = q.q.trim();
      if (term.length < SEARCH_MIN || term.length > SEARCH_MAX) {
        throw new AppError(422, 'invalid_request', `Search for ${SEARCH_MIN} to ${SEARCH_MAX} characters.`, { issues: [{ field: 'q', message: `${SEARCH_MIN} to ${SEARCH_MAX} characters` }] });
      }
      where.push(textSearch(term));
    }
    for (const [key, op] of [['from', gte], ['to', lte]] as const) {
      const v = q[key];
      if (!v) continue;
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw new AppError(400, 'invalid_request', `"${key}" is not a date: use ISO 8601, e.g. 2026-11-01T00:00:00Z.`);
      where.push(op(messages.createdAt, d));
    }
    const rows = await this.deps.db.select().from(messages).where(and(...where)).orderBy(desc(messages.createdAt)).limit(Math.min(q.limit ?? 100, 1000));
    return rows.map(present);
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
    return present(row!);
  }
}
