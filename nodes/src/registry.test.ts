import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { JsonSchema } from '@bundles/shared';
import { conditionOps } from './core/conditions.js';
import { getNodeType, getProvider, messageStatusOrder, nodeManifest, nodeTypes, providerManifest, providerModules, providers, secretFields, type NodeDefinition } from './index.js';

// `provider.verb_noun`: a lower-case provider id, a dot, then lower snake case.
const nodeIdPattern = /^([a-z][a-z0-9]*)\.([a-z][a-z0-9]*(?:_[a-z0-9]+)*)$/;

const props = (schema: JsonSchema) => (schema.properties ?? {}) as Record<string, JsonSchema>;
const required = (schema: JsonSchema) => ((schema.required as string[] | undefined) ?? []).slice().sort();
const triggers = nodeTypes.filter((n): n is Extract<NodeDefinition, { kind: 'trigger' }> => n.kind === 'trigger');

function coreNode(id: string): NodeDefinition {
  const node = getNodeType(id);
  if (!node) throw new Error(`${id} is not registered`);
  return node;
}

describe('node type ids', () => {
  it('are unique', () => {
    const ids = nodeTypes.map((n) => n.id);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(repeated).toEqual([]);
    expect(new Set(ids).size).toBe(nodeTypes.length);
  });

  it.each(nodeTypes.map((n) => [n.id, n] as const))('%s has the form provider.verb_noun and belongs to its provider', (id, node) => {
    const m = nodeIdPattern.exec(id);
    expect(m, `${id} is not provider.verb_noun`).not.toBeNull();
    const prefix = m![1];
    if (prefix === 'core') expect(['core', 'webhook']).toContain(node.provider);
    else expect(node.provider).toBe(prefix);
    expect(getProvider(node.provider), `${id} names an unregistered provider ${node.provider}`).toBeDefined();
  });

  it('rejects malformed ids with the same pattern the test uses', () => {
    expect(nodeIdPattern.test('twilio.send_sms')).toBe(true);
    expect(nodeIdPattern.test('twilio.sendSms')).toBe(false);
    expect(nodeIdPattern.test('twilio.send-sms')).toBe(false);
    expect(nodeIdPattern.test('Twilio.send_sms')).toBe(false);
    expect(nodeIdPattern.test('send_sms')).toBe(false);
    expect(nodeIdPattern.test('twilio.send__sms')).toBe(false);
  });

  it('provider ids are unique', () => {
    expect(new Set(providers.map((p) => p.id)).size).toBe(providers.length);
  });
});

describe('node manifests', () => {
  it.each(nodeTypes.map((n) => [n.id, n] as const))('%s converts config and output to JSON object schemas', (id, node) => {
    const manifest = nodeManifest(node);
    expect(manifest.id).toBe(id);
    expect(manifest.kind).toBe(node.kind);
    expect(manifest.provider).toBe(node.provider);
    for (const schema of [manifest.configSchema, manifest.outputSchema]) {
      expect(schema.type).toBe('object');
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      // Plain JSON: what the API sends to the editor survives serialisation unchanged.
      expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    }
  });

  it.each(nodeTypes.map((n) => [n.id, n] as const))('%s says whether it needs a connection, and of which provider', (id, node) => {
    const optional = id === 'core.http_request';
    // Built-in triggers (a run failed, a schedule) are fed by Bundles itself: no connection; a wait for a reply waits on one.
    const expected = node.provider !== 'core' || optional || id === 'core.wait_for_reply';
    const manifest = nodeManifest(node);
    expect(manifest.needsConnection).toBe(expected);
    expect(manifest.connectionOptional).toBe(optional);
    expect(manifest.connectionProvider).toBe(optional ? 'http' : node.provider);
  });

  it.each(nodeTypes.filter((n) => n.kind === 'action').map((n) => [n.id, n] as const))('%s declares its effect', (_id, node) => {
    if (node.kind !== 'action') return;
    expect(['none', 'read', 'write', 'depends']).toContain(nodeManifest(node).effect);
    // Only a node whose calls change something outside can be idempotent or reconciled.
    if (node.effect === 'none' || node.effect === 'read') {
      expect(node.idempotent).toBeUndefined();
      expect(node.reconcile).toBeUndefined();
    }
  });

  it('declares the effects the runtime relies on', () => {
    const effects = Object.fromEntries(nodeTypes.filter((n) => n.kind === 'action').map((n) => [n.id, nodeManifest(n).effect]));
    for (const effect of Object.values(effects)) expect(['none', 'read', 'write', 'depends']).toContain(effect);
    // The providers' own tests assert their effects; these are the ones the runtime's tests lean on.
    const known = {
      'core.filter': 'none',
      'core.branch': 'none',
      'core.delay': 'none',
      'core.http_request': 'depends',
      'core.set': 'none',
      'retailcrm.find_or_create_customer': 'write',
      'retailcrm.create_order': 'write',
      'retailcrm.update_order_status': 'write',
      'retailcrm.get_order': 'read',
      'retailcrm.send_chat_message': 'write',
      'tokopedia.reply': 'write',
      'twilio.send_sms': 'write',
      'twilio.send_whatsapp': 'write',
      'whatsapp.send_text': 'write',
      'whatsapp.send_template': 'write',
    };
    expect(Object.fromEntries(Object.keys(known).map((id) => [id, effects[id]]))).toEqual(known);
    const http = coreNode('core.http_request');
    if (http.kind !== 'action' || typeof http.effect !== 'function' || typeof http.idempotent !== 'function') throw new Error('core.http_request decides by method');
    const cfg = (method: string, idempotent = false) => http.config.parse({ method, url: 'https://erp.example.com/api/orders', idempotent });
    expect(http.effect(cfg('GET'))).toBe('read');
    expect(http.effect(cfg('POST'))).toBe('write');
    const idempotent = http.idempotent;
    expect(['GET', 'PUT', 'DELETE', 'POST', 'PATCH'].map((m) => idempotent(cfg(m)))).toEqual([true, true, true, false, false]);
    expect(idempotent(cfg('POST', true))).toBe(true);
  });

  it('only core.branch (true, false), core.for_each (item, done) and core.wait_for_reply (reply, timeout) have output handles', () => {
    const withHandles = nodeTypes.map(nodeManifest).filter((m) => m.handles.length > 0).map((m) => [m.id, m.handles]);
    expect(withHandles).toEqual([
      ['core.branch', ['true', 'false']],
      ['core.for_each', ['item', 'done']],
      ['core.wait_for_reply', ['reply', 'timeout']],
    ]);
  });
});

describe('trigger fixtures', () => {
  it.each(triggers.map((t) => [t.id, t] as const))('%s has fixtures that parse against its output schema', (_id, trigger) => {
    expect(trigger.fixtures?.length ?? 0).toBeGreaterThan(0);
    for (const [i, fixture] of (trigger.fixtures ?? []).entries()) {
      const result = trigger.output.safeParse(fixture);
      expect(result.success, `fixture ${i}: ${result.success ? '' : JSON.stringify(result.error.issues)}`).toBe(true);
    }
  });
});

describe('provider manifests', () => {
  it('registers each provider once, with node types of its own', () => {
    const ids = providers.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of providerModules) for (const node of m.nodeTypes) expect(node.provider).toBe(m.provider.id);
  });

  it('merges every provider\'s message statuses into one order that keeps each provider\'s own', () => {
    const order = messageStatusOrder(providers);
    for (const p of providers) {
      const ranks = (p.messageStatuses ?? []).map((s) => order.indexOf(s));
      expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
      expect(ranks).not.toContain(-1);
    }
    expect(() => messageStatusOrder([{ id: 'a', messageStatuses: ['sent', 'delivered'] }, { id: 'b', messageStatuses: ['delivered', 'sent'] }])).toThrow(/b/);
    expect(messageStatusOrder([{ id: 'a', messageStatuses: ['sent', 'read'] }, { id: 'b', messageStatuses: ['sent', 'delivered', 'read'] }])).toEqual(['sent', 'delivered', 'read']);
  });

  it.each(providers.map((p) => [p.id, p] as const))('%s auth converts to a JSON object schema with its secret fields marked x-secret', (id, provider) => {
    const manifest = providerManifest(provider, 'https://bundles.example.com/hooks/conn_1/s3cr3t');
    expect(manifest.id).toBe(id);
    expect(manifest.hasWebhook).toBe(Boolean(provider.webhook));
    const schema = manifest.authSchema;
    expect(schema.type).toBe('object');
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    const marked = Object.entries(props(schema))
      .filter(([, field]) => field['x-secret'] === true)
      .map(([name]) => name)
      .sort();
    for (const name of marked) expect(props(schema)[name]!['x-widget']).toBe('secret');
    // Each provider's own tests name its secret fields (expectSecretFields); here the schema and the list agree.
    expect(secretFields(provider).sort()).toEqual(marked);
  });

  it.each(providers.filter((p) => p.id !== 'core').map((p) => [p.id, p] as const))('%s accepts an optional baseUrl', (_id, provider) => {
    const schema = providerManifest(provider).authSchema;
    expect(props(schema).baseUrl).toMatchObject({ type: 'string' });
    expect(required(schema)).not.toContain('baseUrl');
    const baseUrl = provider.auth.shape.baseUrl as z.ZodType | undefined;
    expect(baseUrl).toBeDefined();
    expect(baseUrl!.safeParse(undefined).success).toBe(true);
    expect(baseUrl!.safeParse('http://127.0.0.1:4010').success).toBe(true);
    expect(baseUrl!.safeParse('not a url').success).toBe(false);
  });

  it('core has no connection fields', () => {
    const core = getProvider('core')!;
    expect(Object.keys(core.auth.shape)).toEqual([]);
    expect(props(providerManifest(core).authSchema)).toEqual({});
  });

  it('the webhook provider explains its URL in the setup text', () => {
    expect(providerManifest(getProvider('webhook')!, 'https://bundles.example.com/hooks/conn_1/s3cr3t').setup).toContain(
      'https://bundles.example.com/hooks/conn_1/s3cr3t',
    );
  });
});

describe('lookups', () => {
  it.each(nodeTypes.map((n) => [n.id, n] as const))('getNodeType finds %s', (id, node) => {
    expect(getNodeType(id)).toBe(node);
  });

  it.each(providers.map((p) => [p.id, p] as const))('getProvider finds %s', (id, provider) => {
    expect(getProvider(id)).toBe(provider);
  });

  it('answers undefined for unknown ids', () => {
    expect(getNodeType('twilio.send_fax')).toBeUndefined();
    expect(getNodeType('')).toBeUndefined();
    expect(getProvider('no_such_provider')).toBeUndefined();
  });
});

describe('core node types', () => {
  it('are all registered', () => {
    const ids = nodeTypes.filter((n) => n.id.startsWith('core.')).map((n) => n.id);
    expect([...ids].sort()).toEqual(['core.branch', 'core.code', 'core.delay', 'core.error_trigger', 'core.filter', 'core.for_each', 'core.http_request', 'core.schedule', 'core.set', 'core.wait_for_reply', 'core.webhook']);
    expect(coreNode('core.webhook').kind).toBe('trigger');
    expect(coreNode('core.webhook').provider).toBe('webhook');
    expect(coreNode('core.error_trigger').kind).toBe('trigger');
    expect(coreNode('core.error_trigger').provider).toBe('core');
    expect(coreNode('core.schedule').kind).toBe('trigger');
    expect(coreNode('core.schedule').provider).toBe('core');
    for (const id of ids.filter((i) => i !== 'core.webhook' && i !== 'core.error_trigger' && i !== 'core.schedule')) {
      expect(coreNode(id).kind).toBe('action');
      expect(coreNode(id).provider).toBe('core');
    }
  });

  it('core.webhook: { secretHeader?, secret? }', () => {
    const node = coreNode('core.webhook');
    const schema = nodeManifest(node).configSchema;
    expect(Object.keys(props(schema)).sort()).toEqual(['secret', 'secretHeader']);
    expect(required(schema)).toEqual([]);
    expect(node.config.parse({})).toEqual({});
    expect(node.config.parse({ secretHeader: 'X-Shop-Token', secret: 'tok_9f8e7d' })).toEqual({ secretHeader: 'X-Shop-Token', secret: 'tok_9f8e7d' });
    expect(node.config.safeParse({ secretHeader: '' }).success).toBe(false);
  });

  it.each(['core.filter', 'core.branch'])('%s: { mode: all|any, conditions: [{ left, op, right }] }', (id) => {
    const node = coreNode(id);
    const schema = nodeManifest(node).configSchema;
    expect(Object.keys(props(schema)).sort()).toEqual(['conditions', 'mode']);
    expect(props(schema).mode!.enum).toEqual(['all', 'any']);
    expect(required(schema)).toEqual(['conditions']);
    const conditions = props(schema).conditions!;
    expect(conditions.type).toBe('array');
    const item = conditions.items as JsonSchema;
    expect(Object.keys(props(item)).sort()).toEqual(['left', 'op', 'right']);
    expect(props(item).op!.enum).toEqual(['eq', 'ne', 'in', 'contains', 'exists', 'gt', 'gte', 'lt', 'lte']);
    expect([...conditionOps]).toEqual(['eq', 'ne', 'in', 'contains', 'exists', 'gt', 'gte', 'lt', 'lte']);
    expect(required(item)).not.toContain('right');

    expect(node.config.parse({ conditions: [{ left: '{{ trigger.status }}', op: 'eq', right: 'paid' }] })).toEqual({
      mode: 'all',
      conditions: [{ left: '{{ trigger.status }}', op: 'eq', right: 'paid' }],
    });
    expect(node.config.parse({ mode: 'any', conditions: [{ left: '{{ trigger.phone }}', op: 'exists' }] }).mode).toBe('any');
    expect(node.config.safeParse({ mode: 'some', conditions: [{ left: 1, op: 'eq', right: 1 }] }).success).toBe(false);
    expect(node.config.safeParse({ conditions: [{ left: 1, op: 'matches', right: 1 }] }).success).toBe(false);
    expect(node.config.safeParse({ conditions: [] }).success).toBe(false);
  });

  it('core.delay: { seconds } or { until }', () => {
    const node = coreNode('core.delay');
    const schema = nodeManifest(node).configSchema;
    expect(Object.keys(props(schema)).sort()).toEqual(['seconds', 'until']);
    expect(node.config.parse({ seconds: 300 })).toEqual({ seconds: 300 });
    expect(node.config.parse({ until: '2026-12-01T09:00:00Z' })).toEqual({ until: '2026-12-01T09:00:00Z' });
    expect(node.config.safeParse({}).success).toBe(false);
    expect(node.config.safeParse({ seconds: 300, until: '2026-12-01T09:00:00Z' }).success).toBe(false);
  });

  it('core.http_request: { method, url, headers?, body? }', () => {
    const node = coreNode('core.http_request');
    const schema = nodeManifest(node).configSchema;
    expect(Object.keys(props(schema)).sort()).toEqual(['body', 'headers', 'idempotent', 'method', 'url']);
    expect(props(schema).method!.enum).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
    expect(required(schema)).toEqual(['url']);
    expect(node.config.parse({ url: 'https://erp.example.com/api/orders' })).toEqual({ method: 'POST', url: 'https://erp.example.com/api/orders', idempotent: false });
    expect(
      node.config.parse({ method: 'PUT', url: 'https://erp.example.com/api/orders/1042', headers: { 'x-shop': 'main' }, body: { status: 'paid' } }),
    ).toEqual({ method: 'PUT', url: 'https://erp.example.com/api/orders/1042', headers: { 'x-shop': 'main' }, body: { status: 'paid' }, idempotent: false });
    // A path, resolved against the base URL of the node's HTTP connection.
    expect(node.config.safeParse({ url: '/api/orders' }).success).toBe(true);
    expect(node.config.safeParse({ method: 'TRACE', url: 'https://erp.example.com' }).success).toBe(false);
    expect(node.config.safeParse({ url: 'erp.example.com/api' }).success).toBe(false);
    expect(node.config.safeParse({ url: '//erp.example.com/api' }).success).toBe(false);
    // Credentials in the graph are refused on save and start: they belong in a connection.
    if (node.kind !== 'action') throw new Error('an action');
    expect(node.check!({ url: 'https://erp.example.com', headers: { Authorization: 'Bearer t', 'X-Shop': 'main' } })).toEqual([
      { field: 'headers.Authorization', message: expect.stringContaining('HTTP connection') },
    ]);
  });

  it('core.set: { fields }', () => {
    const node = coreNode('core.set');
    const schema = nodeManifest(node).configSchema;
    expect(Object.keys(props(schema))).toEqual(['fields']);
    expect(required(schema)).toEqual(['fields']);
    expect(node.config.parse({ fields: { greeting: 'Hello {{ trigger.order.firstName }}', total: 59.9 } })).toEqual({
      fields: { greeting: 'Hello {{ trigger.order.firstName }}', total: 59.9 },
    });
    expect(node.config.safeParse({ fields: { 'first name': 'Ana' } }).success).toBe(false);
    expect(node.config.safeParse({}).success).toBe(false);
  });

  it('core.code: { input, code, timeoutMs, memoryMb } → { result: any, logs }', () => {
    const node = coreNode('core.code');
    const manifest = nodeManifest(node);
    const schema = manifest.configSchema;
    expect(Object.keys(props(schema))).toEqual(['input', 'code', 'timeoutMs', 'memoryMb']);
    expect(required(schema)).toEqual(['code']);
    expect(props(schema).code!['x-widget']).toBe('code');
    expect(props(schema).input!['x-mappable']).toBe(true);
    expect(props(schema).timeoutMs).toMatchObject({ minimum: 100, maximum: 10000, default: 1000 });
    expect(props(schema).memoryMb).toMatchObject({ minimum: 8, maximum: 128, default: 32 });
    expect(manifest.effect).toBe('none');
    expect(manifest.needsConnection).toBe(false);
    // The result is open: any path below it may be mapped by later steps.
    expect(props(manifest.outputSchema).result).toEqual({});
    expect(props(manifest.outputSchema).logs).toMatchObject({ type: 'array', items: { type: 'string' } });
  });
});
