// buildApp: the Fastify app (API, webhooks, editor, docs, metrics) over services built elsewhere.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger as PinoLogger } from 'pino';
import type { Database } from './db/index.js';
import type { Runtime } from './runtime/index.js';
import type { Metrics } from './metrics.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerSecurityHeaders } from './plugins/security-headers.js';
import { bearerIs, registerAuth } from './plugins/auth.js';
import { allowedHostsRoutes } from './routes/allowed-hosts.js';
import { AppError } from './services/errors.js';
import { redactUrl } from './logger.js';
import { healthRoutes } from './routes/health.js';
import { authRoutes } from './routes/auth.js';
import { nodeTypeRoutes } from './routes/node-types.js';
import { connectionRoutes } from './routes/connections.js';
import { flowRoutes } from './routes/flows.js';
import { testRoutes } from './routes/tests.js';
import { TestService } from './services/tests.js';
import { runRoutes } from './routes/runs.js';
import { messageRoutes } from './routes/messages.js';
import { hookRoutes } from './routes/hooks.js';
import { settingsRoutes } from './routes/settings.js';
import { tokenRoutes } from './routes/tokens.js';
import { workspaceRoutes } from './routes/workspaces.js';
import { statusRuleRoutes } from './routes/status-rules.js';
import { templateRoutes } from './routes/templates.js';
import { auditRoutes } from './routes/audit.js';
import { loadTemplates } from './templates/load.js';
import { TemplateService } from './templates/service.js';
import { ExportService } from './services/exports.js';
import { ConnectionService } from './services/connections.js';
import { FlowService } from './services/flows.js';
import { RunService } from './services/runs.js';
import { MessageService } from './services/messages.js';
import { SettingsService } from './services/settings.js';
import { TokenService } from './services/tokens.js';
import { StatusRuleService } from './services/status-rules.js';
import { VersionService } from './services/versions.js';
import { memberRoutes } from './routes/members.js';
import { MemberService } from './services/members.js';
import { invitationRoutes } from './routes/invitations.js';
import { InvitationService } from './services/invitations.js';
import { createMailer } from './services/mailer.js';
import { meRoutes } from './routes/me.js';
import { AccountService } from './services/account.js';

export interface AppOptions {
  database: Database;
  runtime: Runtime;
  keyring: import('./secrets/keyring.js').Keyring;
  logger: PinoLogger;
  metrics: Metrics;
  /** Base of webhook URLs; a function because the port may only be known after listen. */
  publicUrl: () => string;
  role: string;
  editorDir?: string | undefined;
  /** Time a request may take to arrive whole; a slow sender is cut off (default 30 s). */
  requestTimeoutMs?: number;
  /** `/metrics` requires this token when set. */
  metricsToken?: string | undefined;
  /** Whether /api/docs answers without a login (default true). */
  docsPublic?: boolean;
  /** Fastify's trustProxy (default off: X-Forwarded-* is not believed). */
  trustProxy?: boolean | number | string[];
  /** Where invitations are mailed through (unset url: not mailed, the link is only shown). */
  smtp?: { url: string | undefined; from: string };
  /** The worker's health, once it runs (role worker or all). */
  worker?: () => { runner: string; lane: string; schedules: string } | null;
}

/** A hop count becomes "trust the nearest n proxies"; addresses and booleans go to Fastify as they are. */
function trustProxySetting(value: boolean | number | string[] | undefined): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value === 'number') return (_address, hop) => hop < value;
  return value ?? false;
}

const defaultEditorDir = fileURLToPath(new URL('../../editor/dist', import.meta.url));

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const requestTimeout = opts.requestTimeoutMs ?? 30_000;
  const app = Fastify({
    loggerInstance: opts.logger as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID().slice(0, 8),
    trustProxy: trustProxySetting(opts.trustProxy),
    bodyLimit: 2 * 1024 * 1024,
    // A body trickling in is cut off, so that slow senders cannot hold connections open. Node only applies
    // the bound when the server is created with it (and headersTimeout no longer), and checks it on an
    // interval (30 s by default), kept well under the bound itself.
    requestTimeout,
    http: { requestTimeout, headersTimeout: Math.min(60_000, requestTimeout), connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(requestTimeout / 4))) },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const editorDirResolved = opts.editorDir ?? defaultEditorDir;
  registerErrorHandling(app, fs.existsSync(path.join(editorDirResolved, 'index.html')) ? wantsEditor : null);
  registerSecurityHeaders(app);

  // One line per answered request, with its id; webhook URLs lose their secret part. What went well is
  // `debug` (the editor polls every few seconds; a webhook arrives per event); a refusal `info`, a failure `warn`.
  app.addHook('onResponse', (req, reply, done) => {
    const level = reply.statusCode >= 500 ? 'warn' : reply.statusCode >= 400 ? 'info' : 'debug';
    // Nothing is built for a line the level leaves out (a webhook answered 2xx, at the default level).
    if ((req.log as Partial<PinoLogger>).isLevelEnabled?.(level) !== false) {
      req.log[level]({ method: req.method, url: redactUrl(req.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    }
    done();
  });

  await app.register(cookie);
  const { db, pool } = opts.database;
  registerAuth(app, db, opts.publicUrl, { docsPublic: opts.docsPublic ?? true });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Bundles API', version: '1.0.0', description: 'Connections, bundles (flows), runs, the message log and workspace settings.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'bundles_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const { runtime } = opts;
  const limiter = runtime.executeDeps.limiter;
  const connections = new ConnectionService({
    db,
    pool,
    keyring: opts.keyring,
    get publicUrl() {
      return opts.publicUrl();
    },
    store: runtime.connections,
    limiter,
    log: opts.logger,
    invalidate: (id) => runtime.invalidateConnection(id),
  });
  const flows = new FlowService({ db, subscriptionsChanged: (ids) => runtime.subscriptionsChanged(ids), now: runtime.clock });
  const runs = new RunService(db);
  const messages = new MessageService({ db, pool, store: runtime.connections, limiter, log: opts.logger });

  await app.register(healthRoutes, { pool, role: opts.role, parts: { worker: () => opts.worker?.() ?? null } });
  await app.register(authRoutes, { db, secureCookies: opts.publicUrl().startsWith('https://') });
  await app.register(nodeTypeRoutes, { now: runtime.clock });
  await app.register(connectionRoutes, { connections, exports: new ExportService({ db }) });
  await app.register(flowRoutes, { flows, versions: new VersionService({ db, flows }) });
  const tests = new TestService({
    db,
    flows,
    walk: { pool, connections: runtime.connections, http: runtime.executeDeps.http, limiter, log: runtime.executeDeps.log },
  });
  await app.register(runRoutes, { runs, tests });
  await app.register(testRoutes, { tests });
  await app.register(messageRoutes, { messages });
  await app.register(settingsRoutes, { settings: new SettingsService(db) });
  await app.register(tokenRoutes, { tokens: new TokenService(db) });
  await app.register(allowedHostsRoutes, { db, changed: (id) => runtime.allowedHostsChanged(id) });
  await app.register(memberRoutes, { members: new MemberService(db) });
  await app.register(invitationRoutes, { db, secureCookies: opts.publicUrl().startsWith('https://'), invitations: new InvitationService({ db, publicUrl: opts.publicUrl, mailer: createMailer({ smtpUrl: opts.smtp?.url, from: opts.smtp?.from ?? 'Bundles <bundles@localhost>' }) }) });
  await app.register(meRoutes, { account: new AccountService(db) });
  await app.register(workspaceRoutes, {
    db,
    connectionsGone: async (ids) => {
      for (const id of ids) await runtime.invalidateConnection(id);
      await runtime.subscriptionsChanged(ids);
    },
  });
  await app.register(statusRuleRoutes, { rules: new StatusRuleService({ db, flows }) });
  await app.register(auditRoutes, { db });
  await app.register(templateRoutes, { templates: new TemplateService({ templates: loadTemplates(), connections, flows }) });
  await app.register(hookRoutes, { ingest: runtime.ingestDeps, publicUrl: opts.publicUrl, observe: opts.metrics.observeWebhook });

  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (opts.metricsToken && !bearerIs(req.headers.authorization, opts.metricsToken)) {
      throw new AppError(401, 'unauthorized', 'Send the metrics token as "Authorization: Bearer <token>" (BUNDLES_METRICS_TOKEN).');
    }
    reply.header('content-type', opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });

  const editorDir = opts.editorDir ?? defaultEditorDir;
  if (fs.existsSync(path.join(editorDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: editorDir, prefix: '/', wildcard: false });
  } else {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .type('text/html')
        .send('<!doctype html><title>Bundles</title><h1>Bundles</h1><p>The editor is not built yet: run <code>pnpm build</code>. The API is at <a href="/api/docs">/api/docs</a>.</p>'),
    );
  }
  return app;
}

const spaFallbackExcludes = ['/api/', '/hooks/', '/metrics', '/healthz'];
export function wantsEditor(method: string, url: string): boolean {
  const p = url.split('?')[0]!;
  return method === 'GET' && !spaFallbackExcludes.some((x) => p.startsWith(x)) && !/\.[a-z0-9]+$/i.test(p);
}
