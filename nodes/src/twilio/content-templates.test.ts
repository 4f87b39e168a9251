import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../define.js';
import { nodeManifest } from '../manifest.js';
import { testProviderContext } from '../testing.js';
import { startFakeTwilio, type FakeTwilio, type FakeTwilioContent } from '../../../tests/fakes/twilio.js';
import { contentListLimits } from './content-templates.js';
import { twilio, twilioSendWhatsapp } from './index.js';

let fake: FakeTwilio;
beforeAll(async () => {
  fake = await startFakeTwilio();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.setContents([]);
});

const auth = () => ({ accountSid: fake.accountSid, authToken: fake.authToken, baseUrl: fake.url });
const list = (connection: Record<string, unknown> = auth()) => twilio.definition.options!.contentTemplates!(testProviderContext('twilio', connection));
const contentRequests = () => fake.requests.filter((r) => r.path === '/v1/Content');

const text = (i: number): FakeTwilioContent => ({ friendlyName: `notice_${i}`, language: 'en', types: { 'twilio/text': { body: `Notice ${i}` } } });

describe('twilio contentTemplates option source', () => {
  it('lists each template with its text and its variables with their sample values', async () => {
    const [order, quick, card] = fake.setContents([
      { friendlyName: 'order_shipped', language: 'pt_BR', variables: { '1': 'Ana', '2': 'A-17' }, types: { 'twilio/text': { body: 'Olá {{1}}, o pedido {{2}} saiu às {{3}}' } } },
      {
        friendlyName: 'rate_us',
        language: 'en',
        variables: {},
        types: { 'twilio/quick-reply': { body: 'How was order {{ 1 }}?', actions: [{ title: 'Great', id: 'great' }] }, 'twilio/text': { body: 'How was it?' } },
      },
      { friendlyName: 'promo_card', language: 'en', types: { 'twilio/card': { title: 'Sale', subtitle: null } } },
    ]);
    const options = await list();
    expect(options).toEqual([
      {
        value: order!.sid,
        label: 'order_shipped (pt_BR)',
        description: 'twilio/text',
        details: { text: 'Olá {{1}}, o pedido {{2}} saiu às {{3}}', variables: [{ key: '1', example: 'Ana' }, { key: '2', example: 'A-17' }, { key: '3' }], languages: ['pt_BR'] },
      },
      { value: quick!.sid, label: 'rate_us (en)', description: 'twilio/quick-reply, twilio/text', details: { text: 'How was order {{ 1 }}?', variables: [{ key: '1' }], languages: ['en'] } },
      { value: card!.sid, label: 'promo_card (en)', description: 'twilio/card', details: { variables: [], languages: ['en'] } },
    ]);
    expect(order!.sid).toMatch(/^HX[0-9a-f]{32}$/);
    const req = contentRequests()[0]!;
    expect(req.headers.authorization).toBe('Basic ' + Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64'));
  });

  it('follows meta.next_page_url (a content.twilio.com URL) onto the base URL, page after page', async () => {
    const seeded = fake.setContents(Array.from({ length: contentListLimits.pageSize + 30 }, (_, i) => text(i)));
    const options = await list();
    expect(options.map((o) => o.value)).toEqual(seeded.map((c) => c.sid));
    // Two pages, both served by the fake: the second page's absolute URL was rebased onto the base URL.
    expect(contentRequests()).toHaveLength(2);
  });

  it(`stops after ${contentListLimits.maxPages} pages`, async () => {
    fake.setContents(Array.from({ length: contentListLimits.maxItems + 5 }, (_, i) => text(i)));
    const options = await list();
    expect(options).toHaveLength(contentListLimits.maxItems);
    expect(contentRequests()).toHaveLength(contentListLimits.maxPages);
  });

  it('answers an empty list for an account without templates', async () => {
    expect(await list()).toEqual([]);
    expect(contentRequests()).toHaveLength(1);
  });

  it('reports rejected credentials with Twilio’s code and message', async () => {
    const err = await list({ ...auth(), authToken: 'wrong' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 20003, message: 'Authenticate', status: 401, retryable: false, provider: 'twilio' });
  });

  it('offers the picker on contentSid and the variables on contentVariables', () => {
    const props = (nodeManifest(twilioSendWhatsapp).configSchema as { properties: Record<string, Record<string, unknown>> }).properties;
    expect(props.contentSid!['x-options']).toBe('contentTemplates');
    expect(props.contentVariables!['x-variables-of']).toBe('contentSid');
  });
});
