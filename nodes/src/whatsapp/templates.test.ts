import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../define.js';
import { nodeManifest, providerManifest } from '../manifest.js';
import { testProviderContext } from '../testing.js';
import { startFakeWhatsApp, type FakeWhatsApp, type FakeWhatsAppTemplate } from '../../../tests/fakes/whatsapp.js';
import { templateListLimits } from './templates.js';
import { whatsapp, whatsappSendTemplate } from './index.js';

let fake: FakeWhatsApp;
beforeAll(async () => {
  fake = await startFakeWhatsApp();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.setMessageTemplates([]);
});

const auth = (over: Record<string, unknown> = {}) =>
  whatsapp.definition.auth.parse({
    accessToken: fake.accessToken,
    appSecret: 'app-secret',
    verifyToken: 'verify-me',
    phoneNumberId: '106540352242922',
    wabaId: fake.wabaId,
    baseUrl: fake.url,
    ...over,
  }) as Record<string, unknown>;
const list = (connection = auth()) => whatsapp.definition.options!.templates!(testProviderContext('whatsapp', connection));
const templateRequests = () => fake.requests.filter((r) => r.path.endsWith('/message_templates'));
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

describe('whatsapp templates option source', () => {
  it('lists one item per name and language with its parameters, category and status', async () => {
    fake.setMessageTemplates([
      { name: 'order_update', language: 'pt_BR', body: 'Olá {{1}}, seu pedido {{2}} foi enviado. {{1}}', examples: ['Ana', 'A-17'], header: 'Pedido' },
      { name: 'order_update', language: 'en_US', body: 'Hi {{1}}, order {{2}} shipped', examples: ['Ann', 'A-17'] },
      { name: 'hello_world', body: 'Hello World', category: 'MARKETING' },
    ]);
    const options = await list();
    expect(options).toEqual([
      {
        value: 'order_update',
        label: 'order_update (pt_BR)',
        description: 'UTILITY · APPROVED · 2 parameters',
        sets: { language: 'pt_BR' },
        details: {
          text: 'Olá {{1}}, seu pedido {{2}} foi enviado. {{1}}',
          variables: [{ key: '1', type: 'text', example: 'Ana' }, { key: '2', type: 'text', example: 'A-17' }],
          languages: ['pt_BR', 'en_US'],
        },
      },
      expect.objectContaining({ value: 'order_update', label: 'order_update (en_US)', sets: { language: 'en_US' } }),
      { value: 'hello_world', label: 'hello_world (en_US)', description: 'MARKETING · APPROVED · 0 parameters', sets: { language: 'en_US' }, details: { text: 'Hello World', variables: [], languages: ['en_US'] } },
    ]);
    const req = templateRequests()[0]!;
    expect(req.path).toBe(`/v21.0/${fake.wabaId}/message_templates`);
    expect(req.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
  });

  it('shows a template that is not approved as disabled, with its status as the reason', async () => {
    fake.setMessageTemplates([
      { name: 'promo', status: 'PENDING', body: 'Sale {{1}}' },
      { name: 'old', status: 'REJECTED', body: 'x' },
      { name: 'named', body: 'Hi {{first_name}}', parameterFormat: 'NAMED', examples: { first_name: 'Ana' } },
      { name: 'ok', body: 'Fine' },
    ]);
    const options = await list();
    expect(options.map((o) => [o.value, o.disabled ?? false, o.disabledReason])).toEqual([
      ['promo', true, 'PENDING: only approved templates can be sent'],
      ['old', true, 'REJECTED: only approved templates can be sent'],
      ['named', true, 'Uses named parameters, which this node does not send yet'],
      ['ok', false, undefined],
    ]);
    expect(options[2]!.details!.variables).toEqual([{ key: 'first_name', type: 'text', example: 'Ana' }]);
  });

  it('goes on with the after cursor while paging.next says there is more, on the base URL', async () => {
    const seeded: FakeWhatsAppTemplate[] = Array.from({ length: templateListLimits.pageSize + 7 }, (_, i) => ({ name: `t_${i}`, body: `T ${i}` }));
    fake.setMessageTemplates(seeded);
    const options = await list();
    expect(options.map((o) => o.value)).toEqual(seeded.map((t) => t.name));
    const reqs = templateRequests();
    expect(reqs).toHaveLength(2);
    expect(reqs[0]!.query).toEqual({ limit: String(templateListLimits.pageSize) });
    expect(reqs[1]!.query.after).toBeTruthy();
  });

  it(`stops after ${templateListLimits.maxPages} pages`, async () => {
    fake.setMessageTemplates(Array.from({ length: templateListLimits.maxItems + 3 }, (_, i) => ({ name: `t_${i}`, body: 'x' })));
    const options = await list();
    expect(options).toHaveLength(templateListLimits.maxItems);
    expect(templateRequests()).toHaveLength(templateListLimits.maxPages);
  });

  it('answers an empty list for an account without templates', async () => {
    expect(await list()).toEqual([]);
  });

  it('asks for the WhatsApp Business Account id when the connection has none, without calling out', async () => {
    const { wabaId: _omit, ...rest } = auth();
    void _omit;
    const err = await failure(list(rest));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'invalid_config', retryable: false });
    expect((err as Error).message).toMatch(/^Set the WhatsApp Business Account id on the connection/);
    expect(fake.requests).toHaveLength(0);
  });

  it('reports a rejected token and an unknown account with Graph’s code and message', async () => {
    const bad = await failure(list(auth({ accessToken: 'EAAwrong' })));
    expect(bad).toMatchObject({ code: 190, status: 401, retryable: false });
    expect((bad as Error).message).toContain('Invalid OAuth access token');
    const unknown = await failure(list(auth({ wabaId: '999' })));
    expect(unknown).toMatchObject({ code: 100, status: 400 });
    expect((unknown as Error).message).toContain("Object with ID '999' does not exist");
  });

  it('refuses a template send with an empty body parameter on save', () => {
    expect(whatsappSendTemplate.check!({ template: 'order_update', parameters: ['Ana', ' ', '{{ trigger.id }}'] })).toEqual([{ field: 'parameters.1', message: 'Body parameter {{2}} is empty' }]);
    expect(whatsappSendTemplate.check!({ template: 'hello_world', parameters: [] })).toEqual([]);
  });

  it('puts the picker on template and the parameters on its variables; wabaId is an optional, public connection field', () => {
    const props = (nodeManifest(whatsappSendTemplate).configSchema as { properties: Record<string, Record<string, unknown>> }).properties;
    expect(props.template!['x-options']).toBe('templates');
    expect(props.parameters!['x-variables-of']).toBe('template');
    const authSchema = providerManifest(whatsapp.definition, 'https://b.example/hooks/c/s').authSchema as { properties: Record<string, Record<string, unknown>>; required?: string[] };
    expect(authSchema.properties.wabaId).toMatchObject({ title: 'WhatsApp Business Account ID' });
    expect(authSchema.properties.wabaId!['x-secret']).toBeUndefined();
    expect(authSchema.required ?? []).not.toContain('wabaId');
  });
});
