// /api/settings/allowed-hosts: the private hosts and ranges a workspace's calls may reach (admins only).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { outboundGuard } from '@bundles/nodes';
import { allowedHostsSettingsSchema, apiErrorSchema, MAX_ALLOWED_HOSTS } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { principal } from '../plugins/auth.js';
import { allowedHostsOf, setAllowedHosts } from '../services/allowed-hosts.js';
import { recordAudit } from '../services/audit.js';

export const allowedHostsRoutes: FastifyPluginAsyncZod<{ db: Db; changed: (workspaceId: string) => Promise<void> }> = async (app, { db, changed }) => {
  const tags = ['settings'];
  const operator = () => [...(outboundGuard()?.allowed ?? [])];
  app.get('/api/settings/allowed-hosts', { config: { role: 'admin' }, schema: { tags, response: { 200: allowedHostsSettingsSchema } } }, async (req) => ({
    hosts: await allowedHostsOf(db, principal(req).workspaceId),
    operator: operator(),
  }));
  app.put(
    '/api/settings/allowed-hosts',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        description: `Replaces the workspace's list of private hosts and ranges (host names, addresses, CIDR ranges; at most ${MAX_ALLOWED_HOSTS}) that core.http_request and provider base-URL overrides may call. Public addresses need no entry. Applies to the next call of every process.`,
        body: z.object({ hosts: z.array(z.unknown()).max(1000) }).strict(),
        response: { 200: allowedHostsSettingsSchema, 422: apiErrorSchema },
      },
    },
    async (req) => {
      const p = principal(req);
      const hosts = await setAllowedHosts(db, p.workspaceId, req.body.hosts);
      await changed(p.workspaceId);
      await recordAudit(db, p, { kind: 'settings.changed', targetType: 'workspace', targetId: p.workspaceId, detail: { fields: ['allowedHosts'] } });
      return { hosts, operator: operator() };
    },
  );
};
