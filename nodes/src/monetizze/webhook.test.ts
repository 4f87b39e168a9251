import { describe, expect, it } from 'vitest';
import { WebhookParseError, type WebhookRequest } from '../define.js';
import { testConnection } from '../testing.js';
import { decodeForm, FormLimitError } from '../webhooks.js';
import {
  monetizzeAbandonedPostback,
  monetizzeFormBody,
  monetizzeSalePostback,
  phpHttpBuildQuery,
  type PostbackData,
} from '../../../tests/fakes/monetizze.js';
import { monetizzePostbacks, monetizzeSaleFixtures } from './fixtures/postbacks.js';
import { buyerPhone, parseAmount } from './sale.js';
import { readPostback } from './postback.js';
import { monetizze } from './provider.js';
import { monetizzeSaleStatusChanged } from './sale-status-changed.js';

const chave = '82e98fd17562ae451ba4f9e3b9c2eab6';
const conn = testConnection('monetizze', { chaveUnica: chave });
const webhook = monetizze.definition.webhook!;

/** A request as the server hands it over: the raw bytes, and the body its own form decoder made of them. */
function request(rawBody: string): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://bundles.example.com/hooks/c/s',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    query: {},
    rawBody: Buffer.from(rawBody),
    body: decodeForm(rawBody),
  };
}
const verify = (raw: string) => webhook.verify(request(raw), conn as never);
const parse = (raw: string) => webhook.parse(request(raw), conn as never);
const parseData = (data: PostbackData, json = true) => parse(monetizzeFormBody(data, { json }));

describe('monetizze postback verification', () => {
  it('accepts the account key, in the form or only inside the json field', () => {
    expect(verify(monetizzeFormBody(monetizzeSalePostback({ chaveUnica: chave })))).toEqual({ ok: true });
    const jsonOnly = `json=${encodeURIComponent(JSON.stringify(monetizzeSalePostback({ chaveUnica: chave })))}`;
    expect(verify(jsonOnly)).toEqual({ ok: true });
  });

  it('refuses a wrong, missing or repeated-but-wrong key with a reason', () => {
    expect(verify(monetizzeFormBody(monetizzeSalePostback({ chaveUnica: 'another-key' })))).toEqual({
      ok: false,
      reason: 'chave_unica does not match the connection’s chave única (Monetizze → Ferramentas → Postback)',
    });
    const noKey = monetizzeFormBody(monetizzeSalePostback({ chaveUnica: chave, overrides: { chave_unica: undefined } }), { json: false });
    expect(verify(noKey)).toEqual({ ok: false, reason: 'missing chave_unica field' });
    // PHP keeps the last of repeated names: a forged key appended after the real one is what counts.
    expect(verify(`chave_unica=${chave}&chave_unica=forged`)).toMatchObject({ ok: false });
    expect(verify(`chave_unica[]=${chave}`)).toEqual({ ok: false, reason: 'missing chave_unica field' });
    expect(webhook.verify(request(`chave_unica=${chave}`), testConnection('monetizze', { chaveUnica: '' }) as never)).toMatchObject({ ok: false });
  });
});

describe('monetizze postback reading', () => {
  it('expands PHP-style nested names that the server’s own decoder leaves flat', () => {
    const raw = monetizzeFormBody(monetizzeSalePostback({ chaveUnica: chave }), { json: false });
    expect(request(raw).body).toHaveProperty(['venda[codigo]'], '20458731');
    const { form, source } = readPostback(Buffer.from(raw));
    expect(source).toBe('form');
    expect(form).toMatchObject({ venda: { codigo: '20458731', codigo_status: '1' }, comprador: { email: 'maria.souza@example.com.br' } });
    expect((form.comissoes as Array<Record<string, string>>).map((c) => c.nome)).toEqual(['Monetizze', 'Horta Viva Cursos Ltda']);
  });

  it('prefers the json field, and falls back to the form when it is not a JSON object', () => {
    const data = monetizzeSalePostback({ chaveUnica: chave });
    const form = phpHttpBuildQuery(data);
    const jsonSays = JSON.stringify({ ...data, venda: { ...(data.venda as object), codigo: '999', codigo_status: 3 } });
    const [fromJson] = parse(`${form}&json=${encodeURIComponent(jsonSays)}`);
    expect(fromJson!.payload).toMatchObject({ saleCode: '999', status: 'cancelled' });
    for (const bad of ['{"venda":', '[1,2]', '"text"', '', '{"a":1}x']) {
      const [event] = parse(`${form}&json=${encodeURIComponent(bad)}`);
      expect(event!.payload, bad).toMatchObject({ saleCode: '20458731', status: 'awaiting_payment' });
    }
  });

  it('reads PHP json_encode escapes (\\u00e3, \\/) in the json field', () => {
    const [event] = parseData(monetizzeSalePostback({ chaveUnica: chave, statusCode: 2 }));
    expect(event!.payload).toMatchObject({ paymentMethod: 'Cartão de crédito', buyer: { name: 'Maria Aparecida Souza' } });
    expect(monetizzeFormBody(monetizzeSalePostback({ chaveUnica: chave, statusCode: 2 }))).toContain(encodeURIComponent('Cart\\u00e3o'));
  });

  it('parses every fixture postback, with and without the json field, into its trigger output', () => {
    const postbacks = [monetizzePostbacks.boletoIssued, monetizzePostbacks.paid, monetizzePostbacks.refunded, monetizzePostbacks.abandoned];
    postbacks.forEach((p, i) => {
      for (const json of [true, false]) {
        const events = parseData(p as PostbackData, json);
        expect(events).toHaveLength(1);
        expect(events[0]!.type).toBe('monetizze.sale');
        expect(events[0]!.payload).toEqual(monetizzeSaleFixtures[i]);
        expect(monetizzeSaleStatusChanged.output.safeParse(events[0]!.payload).success).toBe(true);
      }
    });
  });

  it('maps each venda[codigo_status], and venda[status] when the code is missing (the "Testar" button)', () => {
    const expected = ['awaiting_payment', 'paid', 'cancelled', 'refunded', 'blocked', 'complete'];
    for (let code = 1; code <= 6; code++) {
      const [event] = parseData(monetizzeSalePostback({ chaveUnica: chave, statusCode: code }));
      expect(event!.payload).toMatchObject({ status: expected[code - 1], statusCode: code, abandoned: false });
    }
    const testButton = monetizzeSalePostback({ chaveUnica: chave, overrides: { venda: { codigo_status: undefined, status: 'Finalizada' }, tipoEvento: undefined } });
    expect(parseData(testButton, false)[0]!.payload).toMatchObject({ status: 'paid', statusCode: 2 });
    const unknown = monetizzeSalePostback({ chaveUnica: chave, overrides: { venda: { codigo_status: '9', status: 'Estranha' }, tipoEvento: { codigo: 9 } } });
    expect(() => parseData(unknown)).toThrow(WebhookParseError);
  });

  it('reads the boleto, payment, checkout link and value', () => {
    const [event] = parseData(monetizzeSalePostback({ chaveUnica: chave }));
    expect(event!.payload).toMatchObject({
      value: 197,
      paymentMethod: 'Boleto',
      boletoLine: '75691.44871 01002.680823 00450.520002 1 97450000019700',
      boletoUrl: 'https://app.monetizze.com.br/boleto/imprimir/20458731/8f14e45fceea167a5a36dedd4bea2543',
    });
    expect(parseAmount('1457.00')).toBe(1457);
    expect(parseAmount('1.457,50')).toBe(1457.5);
    expect(parseAmount('27,50')).toBe(27.5);
    expect(parseAmount('abc')).toBeNull();
    expect(parseAmount('1e309')).toBeNull();
  });

  it('treats a postback without venda[codigo], or with event 7, as an abandoned checkout; ignores tracking postbacks', () => {
    const [event] = parseData(monetizzeAbandonedPostback({ chaveUnica: chave }));
    expect(event!.payload).toMatchObject({ saleCode: null, status: 'abandoned', statusCode: null, abandoned: true, checkoutUrl: 'https://app.monetizze.com.br/r/AHX1234567?recuperacao=3f2a9c' });
    const noEventType = monetizzeAbandonedPostback({ chaveUnica: chave, overrides: { tipoEvento: undefined } });
    expect(parseData(noEventType)[0]!.payload).toMatchObject({ status: 'abandoned' });
    const tracking = { chave_unica: chave, tipoEvento: { codigo: 120, descricao: 'Status do pedido - Rastreio' }, rastreio: { status: 2, codigo: 'PA123456789BR' } };
    expect(parseData(tracking)).toEqual([]);
  });
});

describe('monetizze buyer phone', () => {
  it.each([
    ['(11) 98765-4321', '+5511987654321'],
    ['11987654321', '+5511987654321'],
    ['5511987654321', '+5511987654321'],
    ['+55 21 99123-4567', '+5521991234567'],
    ['(11) 3333-4444', '+551133334444'],
    ['+351 912 345 678', '+351912345678'],
  ])('%s → %s', (raw, e164) => {
    expect(buyerPhone(raw)).toBe(e164);
  });

  it.each(['21 3333', '123', '+55 11 0000', 'sem telefone', '0', '9'.repeat(60)])('%s → null', (raw) => {
    expect(buyerPhone(raw)).toBeNull();
  });

  it('gives the first name and a null phone in the output when the number cannot be read', () => {
    const [event] = parseData(monetizzeSalePostback({ chaveUnica: chave, overrides: { comprador: { nome: '  Maria   Souza ', telefone: 'n/a' } } }));
    expect(event!.payload).toMatchObject({ buyer: { name: 'Maria   Souza', firstName: 'Maria', phone: null } });
  });
});

describe('monetizze dedupe keys', () => {
  it('a sale is keyed by state: sale code and status code', () => {
    const [boleto] = parseData(monetizzeSalePostback({ chaveUnica: chave, saleCode: '777', statusCode: 1 }));
    const [paid] = parseData(monetizzeSalePostback({ chaveUnica: chave, saleCode: '777', statusCode: 2 }));
    expect(boleto).toMatchObject({ dedupeKey: 'sale:777:1', keyKind: 'state', subject: 'sale:777' });
    expect(paid).toMatchObject({ dedupeKey: 'sale:777:2', keyKind: 'state', subject: 'sale:777' });
    // The same postback again (Monetizze retries) has the same key, json field or not.
    expect(parseData(monetizzeSalePostback({ chaveUnica: chave, saleCode: '777', statusCode: 1 }), false)[0]!.dedupeKey).toBe('sale:777:1');
  });

  it('an abandoned checkout is keyed by product, buyer e-mail and the checkout’s start', () => {
    const [a] = parseData(monetizzeAbandonedPostback({ chaveUnica: chave }));
    expect(a).toMatchObject({ dedupeKey: 'checkout:184512:ana.clara@example.com:2024-05-14 11:02:40', keyKind: 'state', subject: 'checkout:184512:ana.clara@example.com' });
    const upper = parseData(monetizzeAbandonedPostback({ chaveUnica: chave, overrides: { comprador: { email: 'ANA.CLARA@example.com' } } }))[0]!;
    expect(upper.dedupeKey).toBe(a!.dedupeKey);
    const later = parseData(monetizzeAbandonedPostback({ chaveUnica: chave, overrides: { venda: { dataInicio: '2024-05-20 09:00:00' } } }))[0]!;
    expect(later.dedupeKey).not.toBe(a!.dedupeKey);
    expect(later.subject).toBe(a!.subject);
    // Without a start date the recovery link names the checkout; with neither, the content does (briefly).
    const byLink = parseData(monetizzeAbandonedPostback({ chaveUnica: chave, overrides: { venda: { dataInicio: undefined } } }))[0]!;
    expect(byLink).toMatchObject({ keyKind: 'state', dedupeKey: expect.stringMatching(/^checkout:184512:ana\.clara@example\.com:[0-9a-f]{16}$/) });
    const bare = parseData(monetizzeAbandonedPostback({ chaveUnica: chave, overrides: { venda: { dataInicio: undefined }, url_recuperacao: undefined } }))[0]!;
    expect(bare).toMatchObject({ keyKind: 'content', subject: 'checkout:184512:ana.clara@example.com' });
  });

  it('long key parts are hashed, so keys stay short', () => {
    const [event] = parseData(monetizzeSalePostback({ chaveUnica: chave, saleCode: '9'.repeat(5000) }));
    expect(event!.dedupeKey.length).toBeLessThan(100);
  });
});

describe('monetizze hostile bodies', () => {
  it('keeps a huge index as an object key, not a sparse array', () => {
    const { form } = readPostback(Buffer.from(`chave_unica=${chave}&comissoes[99999999][nome]=x&comissoes[0][nome]=y`));
    expect(Array.isArray(form.comissoes)).toBe(false);
    expect(Object.keys(form.comissoes as object).sort()).toEqual(['0', '99999999']);
  });

  it('refuses more fields than the limit (413), and reads bad percent-encoding as text', () => {
    expect(() => parse(`chave_unica=${chave}&${'a=1&'.repeat(1200)}`)).toThrow(FormLimitError);
    const [event] = parse(`chave_unica=${chave}&venda[codigo]=12%ZZ&venda[codigo_status]=2`);
    expect(event!.payload).toMatchObject({ saleCode: '12%ZZ', status: 'paid' });
  });

  it('never reads prototype fields as data', () => {
    const events = parse(`chave_unica=${chave}&venda[codigo]=5&venda[codigo_status]=2&__proto__[x]=1&venda[toString]=z&constructor[prototype][y]=1`);
    expect(events[0]!.payload).toMatchObject({ saleCode: '5', status: 'paid' });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
