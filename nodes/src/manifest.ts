// Node and provider manifests: zod → JSON Schema with the UI hints as `x-*` keywords.
import { z } from 'zod';
import type { NodeManifest, ProviderManifest, JsonSchema } from '@bundles/shared';
import { ui, type NodeDefinition, type ProviderDefinition, type UiHints } from './define.js';

function hintsToKeywords(hints: UiHints): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (hints.title) out.title = hints.title;
  if (hints.description) out.description = hints.description;
  if (hints.widget) out['x-widget'] = hints.widget;
  if (hints.options) out['x-options'] = hints.options;
  if (hints.mappable) out['x-mappable'] = true;
  if (hints.sms) out['x-sms'] = true;
  if (hints.placeholder) out['x-placeholder'] = hints.placeholder;
  if (hints.secret) {
    out['x-secret'] = true;
    out['x-widget'] = 'secret';
  }
  return out;
}

/** JSON Schema (draft 2020-12) of a zod schema, as the editor and save-time checks read it. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  return z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      const hints = ui.get(ctx.zodSchema as unknown as z.ZodType);
      if (hints) Object.assign(ctx.jsonSchema, hintsToKeywords(hints));
    },
  }) as JsonSchema;
}

/** Names of the auth fields marked secret. */
export function secretFields(provider: ProviderDefinition): string[] {
  return Object.entries(provider.auth.shape)
    .filter(([, field]) => hasSecretHint(field as z.ZodType))
    .map(([name]) => name);
}

function hasSecretHint(schema: z.ZodType): boolean {
  let current: z.ZodType | undefined = schema;
  while (current) {
    if (ui.get(current)?.secret) return true;
    const inner: unknown = (current as unknown as { unwrap?: () => unknown }).unwrap?.();
    current = inner instanceof z.ZodType ? inner : undefined;
  }
  return false;
}

export function nodeManifest(node: NodeDefinition): NodeManifest {
  return {
    id: node.id,
    kind: node.kind,
    provider: node.provider,
    title: node.title,
    ...(node.description ? { description: node.description } : {}),
    configSchema: toJsonSchema(node.config, 'input'),
    outputSchema: toJsonSchema(node.output, 'output'),
    handles: node.kind === 'action' ? (node.handles ?? []) : [],
    needsConnection: node.kind === 'trigger' ? true : (node.needsConnection ?? node.provider !== 'core'),
  };
}

export function providerManifest(provider: ProviderDefinition, webhookUrlExample = '<webhook URL>'): ProviderManifest {
  return {
    id: provider.id,
    title: provider.title,
    authSchema: toJsonSchema(provider.auth, 'input'),
    hasWebhook: Boolean(provider.webhook),
    setup: provider.setup ? provider.setup({ webhookUrl: webhookUrlExample, config: {} }) : '',
  };
}
