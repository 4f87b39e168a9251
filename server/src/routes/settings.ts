// /api/settings: the workspace's settings (its name and time zone, how long its history is kept).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema, DEFAULT_RETENTION, retentionSchema, retentionSettingsSchema, timeZoneSettingsSchema, workspaceSchema, type Retention } from '@bundles/shared';
import type { SettingsService } from '../services/settings.js';
import { principal } from '../plugins/auth.js';

const answer = (retention: Retention) => ({ ...retention, defaults: { ...DEFAULT_RETENTION } });

export const settingsRoutes: FastifyPluginAsyncZod<{ settings: SettingsService }> = async (app, { settings }) => {
  const tags = ['settings'];
  app.get('/api/settings/workspace', { config: { role: 'viewer' }, schema: { tags, response: { 200: workspaceSchema } } }, async (req) => settings.getWorkspace(principal(req).workspaceId));
  app.put(
    '/api/settings/workspace',
    {
      config: { role: 'admin' }, schema: {
        tags,
        description:
          'Renames the workspace (trimmed, 1 to 100 characters) and/or sets its IANA time zone; a field not sent keeps its value. A bad value is answered 422 with the field named, and nothing is changed.',
        body: z.object({ name: z.string().max(1000).optional(), timeZone: z.string().max(200).optional() }).strict(),
        response: { 200: workspaceSchema, 422: apiErrorSchema },
      },
    },
    async (req) => settings.setWorkspace(principal(req), req.body),
  );
  app.get('/api/settings/retention', { config: { role: 'viewer' }, schema: { tags, response: { 200: retentionSettingsSchema } } }, async (req) =>
    answer(await settings.getRetention(principal(req).workspaceId)),
  );
  app.put(
    '/api/settings/retention',
    {
      config: { role: 'admin' }, schema: {
        tags,
        description: 'Changes the fields sent; the others keep their value. A value out of bounds is answered 422 with the field named.',
        body: retentionSchema.partial().strict(),
        response: { 200: retentionSettingsSchema, 422: apiErrorSchema },
      },
      // The body schema documents the fields; the service checks them and answers 422 naming the field.
      // Only a body that is no object at all is a malformed request (400, like every route).
      attachValidation: true,
    },
    async (req) => {
      const body: unknown = req.body;
      if (req.validationError && (!body || typeof body !== 'object' || Array.isArray(body))) throw req.validationError;
      return answer(await settings.setRetention(principal(req), body as Partial<Retention>));
    },
  );
  app.get('/api/settings/time-zone', { config: { role: 'viewer' }, schema: { tags, response: { 200: timeZoneSettingsSchema } } }, async (req) => ({
    timeZone: await settings.getTimeZone(principal(req).workspaceId),
  }));
  app.put(
    '/api/settings/time-zone',
    {
      config: { role: 'admin' }, schema: {
        tags,
        description: "The workspace's IANA time zone (default UTC): the days of connections' daily send caps. An unknown zone is answered 422.",
        body: z.object({ timeZone: z.string().max(200) }).strict(),
        response: { 200: timeZoneSettingsSchema, 422: apiErrorSchema },
      },
    },
    async (req) => ({ timeZone: await settings.setTimeZone(principal(req), req.body.timeZone) }),
  );
};
