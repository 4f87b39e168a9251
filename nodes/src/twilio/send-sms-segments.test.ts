// twilio.send_sms with a segment cap (maxSegments): a rendered text over the cap fails the step for good,
// naming the segments and the characters that forced UCS-2, and nothing reaches Twilio; a static text that
// cannot fit is refused on save and start (check).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../define.js';
import { testActionContext } from '../testing.js';
import { startFakeTwilio, type FakeTwilio } from '../../../tests/fakes/twilio.js';
import { twilioSendSms } from './index.js';

let fake: FakeTwilio;
beforeAll(async () => {
  fake = await startFakeTwilio();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const send = (config: Record<string, unknown>) => {
  const ctx = testActionContext({ provider: 'twilio', config: twilioSendSms.config.parse(config), connection: { accountSid: fake.accountSid, authToken: fake.authToken, baseUrl: fake.url } });
  return twilioSendSms.execute(ctx as never);
};
const sms = { from: '+15550002222', to: '+5511998765432' };
const paid = 'Olá Maria, seu pedido A-17 foi aprovado e já está em separação. Obrigado pela compra!';

describe('twilio.send_sms with maxSegments', () => {
  it('fails a text over the cap permanently with too_many_segments, sends nothing, cuts nothing', async () => {
    const err = await send({ ...sms, body: paid, maxSegments: 1 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'too_many_segments', retryable: false, ambiguous: false });
    expect((err as Error).message).toBe('The message as rendered needs 2 segments, the cap is 1; “á”, “ç”, “ã” force UCS-2 (70 characters a segment): nothing was sent. Shorten it or raise "Most segments".');
    // A later send reaches the fake alone: the refused one never left.
    await send({ ...sms, body: 'Order A-17 is paid', maxSegments: 1 });
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => r.form.Body)).toEqual(['Order A-17 is paid']);
  });

  it('sends a text within the cap whole', async () => {
    await send({ ...sms, body: paid, maxSegments: 2 });
    expect(fake.messages.map((m) => m.body)).toEqual([paid]);
  });

  it('takes a cap from 1 to 10 only', () => {
    for (const maxSegments of [0, 11, 1.5, '2']) expect(twilioSendSms.config.safeParse({ ...sms, body: 'hi', maxSegments }).success).toBe(false);
    expect(twilioSendSms.config.safeParse({ ...sms, body: 'hi', maxSegments: 10 }).success).toBe(true);
  });

  it('refuses a static text that cannot fit on save, and leaves a template to the run', () => {
    expect(twilioSendSms.check!({ ...sms, body: 'x'.repeat(161), maxSegments: 1 })).toEqual([{ field: 'body', message: 'the message needs 2 segments, the cap is 1 (160 characters a segment)' }]);
    expect(twilioSendSms.check!({ ...sms, body: paid, maxSegments: 1 })).toEqual([{ field: 'body', message: 'the message needs 2 segments, the cap is 1; “á”, “ç”, “ã” force UCS-2 (70 characters a segment)' }]);
    expect(twilioSendSms.check!({ ...sms, body: `${paid} {{ trigger.id }}`, maxSegments: 1 })).toEqual([]);
    expect(twilioSendSms.check!({ ...sms, body: paid })).toEqual([]);
    expect(twilioSendSms.check!({ ...sms, body: paid, maxSegments: 2 })).toEqual([]);
  });
});
