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
  if (hints.variablesOf) out['x-variables-of'] = hints.variablesOf;
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
  return secretFieldsOf(provider.auth);
}

/** Top-level fields of an object schema marked secret (`secret: true` or the secret widget), e.g. a trigger's shared secret. */
export function secretFieldsOf(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) return [];
  return Object.entries(shape)
    .filter(([, field]) => hasSecretHint(field))
    .map(([name]) => name);
}

function hasSecretHint(schema: z.ZodType): boolean {
  let current: z.ZodType | undefined = schema;
  while (current) {
    const hints = ui.get(current);
    if (hints?.secret || hints?.widget === 'secret') return true;
    const inner: unknown = (current as unknown as { unwrap?: () => unknown }).unwrap?.();
    current = inner instanceof z.ZodType ? inner : undefined;
  }
  return false;
}

/** Whether a node uses a connection: always (triggers and provider actions), optionally, or never. */
export function connectionUse(node: NodeDefinition): 'required' | 'optional' | 'none' {
  // Built-in triggers (a run failed, a schedule) are fed by Bundles itself; every other trigger by a connection.
  if (node.kind === 'trigger') return node.provider === 'core' ? 'none' : 'required';
  const use = node.needsConnection ?? node.provider !== 'core';
  return use === 'optional' ? 'optional' : use ? 'required' : 'none';
}

/** The providers whose connections a node takes: its own, the one it names, or several (resolved by the registry). */
export function connectionProvidersOf(node: NodeDefinition): string[] {
  if (node.kind === 'action' && Array.isArray(node.connectionProviders)) return node.connectionProviders;
  return [(node.kind === 'action' ? node.connectionProvider : undefined) ?? node.provider];
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
    needsConnection: connectionUse(node) !== 'none',
    connectionOptional: connectionUse(node) === 'optional',
    connectionProvider: (node.kind === 'action' ? node.connectionProvider : undefined) ?? node.provider,
    ...(node.kind === 'action' && Array.isArray(node.connectionProviders) ? { connectionProviders: node.connectionProviders } : {}),
    effect: node.kind === 'trigger' ? 'read' : typeof node.effect === 'function' ? 'depends' : node.effect,
    ...(node.kind === 'trigger' && node.statusRules ? { statusRules: node.statusRules } : {}),
    ...(node.kind === 'trigger' && node.outputWhen ? { outputWhen: node.outputWhen } : {}),
    ...(node.kind === 'action' && node.sends ? { sends: node.sends } : {}),
  };
}

export function providerManifest(provider: ProviderDefinition, webhookUrlExample = '<webhook URL>'): ProviderManifest {
  return {
    id: provider.id,
    title: provider.title,
    authSchema: toJsonSchema(provider.auth, 'input'),
    hasWebhook: Boolean(provider.webhook),
    setup: provider.setup ? provider.setup({ webhookUrl: webhookUrlExample, config: {} }) : '',
    messageStatuses: provider.messageStatuses ?? [],
    nameMinLength: provider.connectionName?.minLength ?? 1,
    sendCap: provider.sendCap === true,
    exports: Object.entries(provider.exports ?? {}).map(([kind, e]) => ({ kind, title: e.title, sources: e.sources, optionsSchema: toJsonSchema(e.options, 'input') })),
  };
}
