// Connection CRUD: config validated by the provider's auth schema, secrets encrypted, never returned.
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { getProvider, ProviderError, secretFields, sendCapOf, type ProviderDefinition, type OptionItem, type RateLimiter, type Logger } from '@bundles/nodes';
import type { Connection, ConnectionUsage, Delivery } from '@bundles/shared';
import type pg from 'pg';
import type { Db } from '../db/index.js';
import { connections, eventKeys, events, flowVersions, flows, messages, replyWaits, sendCounts, triggerSubscriptions, webhookDeliveries } from '../db/schema/index.js';
import type { Keyring } from '../secrets/keyring.js';
import { splitSecrets, webhookUrlOf, type ConnectionStore } from '../runtime/connections.js';
import { AppError, notFound } from './errors.js';
import { providerContext } from './provider-context.js';
import { listDeliveries } from './deliveries.js';
import { isUuid } from '../ids.js';
import { sendsToday } from '../runtime/send-cap.js';
import { recordAudit, type AuditActor } from './audit.js';

export interface ConnectionDeps {
  db: Db;
  pool: pg.Pool;
  keyring: Keyring;
  publicUrl: string;
  store: ConnectionStore;
  limiter: RateLimiter;
  log: Logger;
  /** Tells every process to drop its cached copy. */
  invalidate(connectionId: string): Promise<void>;
}

type Row = typeof connections.$inferSelect;


function providerOf(id: string): ProviderDefinition {
  const p = getProvider(id);
  if (!p || id === 'core') throw new AppError(400, 'unknown_provider', `Unknown provider "${id}".`, { field: 'provider' });
  return p;
}

export function toConnection(row: Row, publicUrl: string, secretsSet: string[]): Connection {
  const provider = getProvider(row.provider);
  const webhookUrl = provider?.webhook ? webhookUrlOf(publicUrl, row.id, row.webhookSecret) : null;
  return {
    id: row.id,
    provider: row.provider,
    name: row.name,
    config: row.config,
    secretsSet,
    webhookUrl,
    // Only the non-secret config reaches the setup text (row.config holds no secrets).
    setup: provider?.setup ? provider.setup({ webhookUrl: webhookUrl ?? '', config: row.config }) : null,
    status: row.status,
    lastTest: row.lastTest ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function validateConfig(provider: ProviderDefinition, config: Record<string, unknown>): Record<string, unknown> {
  const result = (provider.auth as z.ZodObject).safeParse(config);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({
      field: i.path.join('.'),
      message: config[String(i.path[0])] === undefined && i.code === 'invalid_type' ? 'is required' : i.message,
    }));
    throw new AppError(422, 'invalid_connection', `Invalid ${provider.title} connection: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}.`, { issues });
  }
  return result.data as Record<string, unknown>;
}

function validateName(provider: ProviderDefinition, name: string): void {
  const min = provider.connectionName?.minLength ?? 1;
  if (name.trim().length < min) {
    throw new AppError(422, 'invalid_connection', `The name must have at least ${min} characters.`, { issues: [{ field: 'name', message: `at least ${min} characters` }] });
  }
}

/** The names of the fields added, removed or given another value (compared here; only names leave). */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

export class ConnectionService {
  constructor(private deps: ConnectionDeps) {}

  /** The stored secrets; an envelope that does not open (it should not, after the start's key check) counts as none, so new ones can be entered. */
  private storedSecrets(row: Row): Record<string, unknown> {
    if (!row.secrets) return {};
    try {
      return this.deps.keyring.decrypt(row.secrets);
    } catch (err) {
      this.deps.log.error({ connectionId: row.id, err: (err as Error).message }, 'the secrets of a connection do not decrypt: enter them again');
      return {};
    }
  }

  private secretsSetOf(row: Row): string[] {
    return Object.keys(this.storedSecrets(row)).sort();
  }

  private async row(workspaceId: string, id: string): Promise<Row> {
    if (!isUuid(id)) throw notFound('Connection');
    const [row] = await this.deps.db.select().from(connections).where(and(eq(connections.id, id), eq(connections.workspaceId, workspaceId)));
    if (!row) throw notFound('Connection');
    return row;
  }

  private present(row: Row): Connection {
    return toConnection(row, this.deps.publicUrl, this.secretsSetOf(row));
  }

  async list(workspaceId: string, provider?: string): Promise<Connection[]> {
    const rows = await this.deps.db
      .select()
      .from(connections)
      .where(provider ? and(eq(connections.workspaceId, workspaceId), eq(connections.provider, provider)) : eq(connections.workspaceId, workspaceId))
      .orderBy(connections.provider, connections.name);
    return rows.map((r) => this.present(r));
  }

  async get(workspaceId: string, id: string): Promise<Connection> {
    return this.present(await this.row(workspaceId, id));
  }

  /** `by`: who makes it (its workspace, and the audit log's entry, written with it). */
  async create(by: AuditActor, input: { provider: string; name: string; config: Record<string, unknown> }): Promise<Connection> {
    const workspaceId = by.workspaceId;
    const provider = providerOf(input.provider);
    validateName(provider, input.name);
    const config = validateConfig(provider, input.config ?? {});
    const { plain, secret } = splitSecrets(provider, config);
    const row = await this.deps.db.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(connections)
        .values({
          workspaceId,
          provider: provider.id,
          name: input.name.trim(),
          config: plain,
          secrets: Object.keys(secret).length ? this.deps.keyring.encrypt(secret) : null,
          webhookSecret: randomBytes(24).toString('base64url'),
        })
        .returning();
      await recordAudit(tx, by, { kind: 'connection.created', targetType: 'connection', targetId: inserted!.id, detail: { name: inserted!.name } });
      return inserted!;
    });
    return this.present(row);
  }

  /** A partial update; the audit log names the fields whose value changed (and `name` when renamed), never a value. */
  async update(by: AuditActor, id: string, input: { name?: string | undefined; config?: Record<string, unknown> | undefined }): Promise<Connection> {
    const row = await this.row(by.workspaceId, id);
    const provider = providerOf(row.provider);
    if (input.name !== undefined) validateName(provider, input.name);
    const storedSecrets = this.storedSecrets(row);
    let plain = row.config;
    let secret = storedSecrets;
    if (input.config) {
      // A partial update: omitted fields keep their value, empty secrets too; null or '' clears a public field.
      const merged: Record<string, unknown> = { ...row.config, ...storedSecrets, ...input.config };
      for (const name of secretFields(provider)) if (merged[name] === '' || merged[name] === undefined || merged[name] === null) merged[name] = storedSecrets[name];
      for (const [k, v] of Object.entries(merged)) if (v === undefined || v === null || v === '') delete merged[k];
      const config = validateConfig(provider, merged);
      ({ plain, secret } = splitSecrets(provider, config));
    }
    const name = input.name?.trim() ?? row.name;
    const fields = [...changedFields(row.config, plain), ...changedFields(storedSecrets, secret)].sort();
    const updated = await this.deps.db.transaction(async (tx) => {
      const [done] = await tx
        .update(connections)
        .set({
          name,
          config: plain,
          secrets: Object.keys(secret).length ? this.deps.keyring.encrypt(secret) : null,
          status: input.config ? 'untested' : row.status,
          updatedAt: new Date(),
        })
        .where(eq(connections.id, id))
        .returning();
      const changed = [...(name !== row.name ? ['name'] : []), ...fields];
      // Nothing changed (the form sent what was there): no entry.
      if (changed.length > 0) await recordAudit(tx, by, { kind: 'connection.changed', targetType: 'connection', targetId: id, detail: { name, fields: changed } });
      return done;
    });
    await this.deps.invalidate(id);
    return this.present(updated!);
  }

  /** Today's sends against the daily cap; a connection that cannot have one answers 0 and no cap. */
  async usage(workspaceId: string, id: string): Promise<ConnectionUsage> {
    const row = await this.row(workspaceId, id);
    const provider = getProvider(row.provider);
    const cap = provider?.sendCap ? sendCapOf(row.config) : null;
    const { today, day } = await sendsToday(this.deps.pool, id, workspaceId);
    return { today, cap: cap?.cap ?? null, day };
  }

  async remove(by: AuditActor, id: string): Promise<void> {
    const workspaceId = by.workspaceId;
    const row = await this.row(workspaceId, id);
    // The versions that run now are what matters (a draft may no longer use the connection).
    const running = await this.deps.db
      .select({ name: flows.name, graph: flowVersions.graph })
      .from(flows)
      .innerJoin(flowVersions, eq(flowVersions.id, flows.activeVersionId))
      .where(and(eq(flows.workspaceId, workspaceId), eq(flows.status, 'running')));
    const names = running.filter((f) => f.graph.nodes.some((n) => n.connectionId === id)).map((f) => f.name);
    if (names.length > 0) {
      throw new AppError(409, 'connection_in_use', `Stop the running bundles that use this connection first: ${names.join(', ')}.`, { flows: names });
    }
    // What the connection received has no key to it (each check locked its row on every event): removed here, together.
    await this.deps.db.transaction(async (tx) => {
      await tx.delete(triggerSubscriptions).where(eq(triggerSubscriptions.connectionId, id));
      await tx.delete(eventKeys).where(eq(eventKeys.connectionId, id));
      for (const table of [events, messages, webhookDeliveries, sendCounts, replyWaits]) await tx.delete(table).where(eq(table.connectionId, id));
      await tx.delete(connections).where(eq(connections.id, id));
      await recordAudit(tx, by, { kind: 'connection.deleted', targetType: 'connection', targetId: id, detail: { name: row.name } });
    });
    await this.deps.invalidate(id);
  }

  async test(by: AuditActor, id: string): Promise<{ ok: boolean | null; message: string }> {
    const row = await this.row(by.workspaceId, id);
    const provider = providerOf(row.provider);
    const loaded = await this.deps.store.get(id);
    let result: { ok: boolean | null; message: string };
    if (!provider.test || !loaded) {
      result = {
        ok: true,
        message: provider.webhook
          ? `${provider.title} connections need no test: the webhook URL is ready.`
          : `${provider.title} connections need no test: the nodes that use this connection send its credentials with each request.`,
      };
    } else {
      try {
        result = await provider.test(providerContext(this.deps, loaded.context));
      } catch (err) {
        result = { ok: false, message: err instanceof Error ? err.message : String(err) };
      }
    }
    const lastTest = { ...result, at: new Date().toISOString() };
    // ok: null — nothing to tell yet (a webhook-only account that has sent nothing): the connection stays untested.
    const status = result.ok === null ? 'untested' : result.ok ? 'ok' : 'broken';
    await this.deps.db.transaction(async (tx) => {
      await tx.update(connections).set({ status, lastTest }).where(eq(connections.id, id));
      // The outcome only: the provider's message may quote what it was sent.
      await recordAudit(tx, by, { kind: 'connection.tested', targetType: 'connection', targetId: id, detail: { name: row.name, outcome: result.ok === null ? 'untested' : result.ok ? 'ok' : 'failed' } });
    });
    return result;
  }

  async options(workspaceId: string, id: string, source: string): Promise<OptionItem[]> {
    const row = await this.row(workspaceId, id);
    const provider = providerOf(row.provider);
    const list = provider.options?.[source];
    if (!list) throw new AppError(404, 'not_found', `${provider.title} has no option list "${source}".`);
    const loaded = await this.deps.store.get(id);
    try {
      return await list(providerContext(this.deps, loaded!.context));
    } catch (err) {
      // The connection lacks what the list needs (e.g. WhatsApp's business account id): the user's to fix.
      if (err instanceof ProviderError && err.code === 'invalid_config') throw new AppError(422, 'invalid_config', err.message);
      const code = err instanceof ProviderError && err.code !== undefined ? ` (${String(err.code)})` : '';
      const details = err instanceof ProviderError ? { provider: err.provider ?? row.provider, code: err.code, status: err.status } : undefined;
      throw new AppError(502, 'provider_error', `${provider.title} did not list ${source}${code}: ${err instanceof Error ? err.message : String(err)}`, details);
    }
  }

  async deliveries(workspaceId: string, id: string, limit = 100): Promise<Delivery[]> {
    await this.row(workspaceId, id);
    return listDeliveries(this.deps.db, workspaceId, id, Math.min(limit, 500));
  }
}
