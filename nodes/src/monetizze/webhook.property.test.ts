// Thousands of mangled Monetizze postbacks: deep brackets, huge indexes, repeated names, broken json fields,
// bad percent-encoding, floods of fields. verify answers ok or a reason; parse throws only WebhookParseError
// or returns events whose payload is a valid trigger output; every request takes bounded time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebhookParseError, type ParsedEvent, type WebhookRequest } from '../define.js';
import { testConnection } from '../testing.js';
import { phpJsonEncode, phpUrlencode } from '../../../tests/fakes/monetizze.js';
import { monetizze } from './provider.js';
import { monetizzeSaleOutput } from './schemas.js';

const runs = 5_000;
const perRequestMs = 250;
const chave = '82e98fd17562ae451ba4f9e3b9c2eab6';
const connection = testConnection('monetizze', { chaveUnica: chave });
const webhook = monetizze.definition.webhook!;

const knownNames = [
  'venda[codigo]', 'venda[codigo_status]', 'venda[status]', 'venda[valor]', 'venda[formaPagamento]', 'venda[linkBoleto]',
  'venda[linha_digitavel]', 'venda[dataInicio]', 'tipoEvento[codigo]', 'produto[codigo]', 'produto[nome]', 'comprador[nome]',
  'comprador[email]', 'comprador[telefone]', 'url_recuperacao', 'comissoes[0][nome]', 'comissoes[1][valor]',
];
const plausibleValue = fc.oneof(
  fc.constantFrom('1', '2', '3', '4', '5', '6', '7', '8', '120', '0', '-1', '', ' ', 'Finalizada', 'Aguardando pagamento', 'Devolvida', 'Boleto'),
  fc.stringMatching(/^[0-9]{1,10}$/),
  fc.constantFrom('(11) 98765-4321', '5511987654321', '+351 912 345 678', '21 3333', 'maria@example.com', '197.00', '1.457,50', '1e309', 'NaN'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
);
const nastyValue = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('%', '%ZZ', '%E0%A4%A', '%ED%A0%80', '%00', '%C0%80', '+', '&', '=', '[]', '\uFEFF', '__proto__', 'toString'),
  fc.tuple(fc.constantFrom('a', '9', '%', '['), fc.integer({ min: 1_000, max: 50_000 })).map(([c, n]) => c.repeat(n)),
);
const value = fc.oneof({ weight: 4, arbitrary: plausibleValue }, { weight: 1, arbitrary: nastyValue });

const hostileName = fc.oneof(
  fc.integer({ min: 1, max: 3_000 }).map((n) => `venda${'[x]'.repeat(n)}`),
  fc.integer({ min: 1, max: 5_000 }).map((n) => `${'['.repeat(n)}a`),
  fc.integer({ min: 1, max: 5_000 }).map((n) => `a${']'.repeat(n)}`),
  fc.constantFrom('a[99999999]', 'comissoes[99999999][nome]', 'comissoes[4294967296]', 'venda[codigo][]', 'venda[]', 'venda[codigo][x]', 'venda', 'comprador'),
  fc.constantFrom('__proto__[x]', 'constructor[prototype][x]', 'venda[__proto__]', 'toString', 'hasOwnProperty', 'venda[toString]', 'chave_unica[]', '[]', '=', ''),
  fc.nat({ max: 99_999_999 }).map((i) => `venda_item_order_bump[${i}][produto]`),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
);
const name = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...knownNames) }, { weight: 2, arbitrary: hostileName });

/** A json field: a postback object (with hostile leaves), broken JSON, deep nesting, or not an object. */
const jsonField = fc.oneof(
  fc
    .record({
      chave_unica: fc.oneof(fc.constant(chave), fc.constant(null), fc.integer()),
      venda: fc.oneof(
        fc.record({ codigo: fc.oneof(plausibleValue, fc.integer(), fc.constant(null), fc.constant({ toString: 1 })), codigo_status: fc.oneof(fc.integer({ min: -1, max: 9 }), plausibleValue, fc.double()) }, { requiredKeys: [] }),
        fc.constantFrom(null, [], 'x', 5),
      ),
      tipoEvento: fc.oneof(fc.record({ codigo: fc.oneof(fc.integer({ min: 0, max: 130 }), plausibleValue) }), fc.constant(null)),
      comprador: fc.oneof(fc.record({ nome: value, email: value, telefone: fc.oneof(value, fc.integer()) }, { requiredKeys: [] }), fc.constant([1, 2])),
      produto: fc.record({ codigo: fc.oneof(value, fc.integer()), nome: value }, { requiredKeys: [] }),
      url_recuperacao: value,
    }, { requiredKeys: [] })
    .map((o) => phpJsonEncode(o)),
  fc.constantFrom('{', '{"venda":', '[]', '[1,2]', '"x"', 'null', '1e309', '{"a":1}x', '\u0000', '{"venda":{"codigo":"1","codigo_status":2}'),
  fc.integer({ min: 10, max: 20_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.integer({ min: 10, max: 20_000 }).map((n) => '['.repeat(n)),
);

/** One field: percent-encoded as PHP does, raw, or a bare name without "=". */
const pair = fc.tuple(name, value, fc.nat({ max: 9 })).map(([n, v, mode]) => (mode === 0 ? phpUrlencode(n) : mode === 1 ? `${n}=${v}` : `${phpUrlencode(n)}=${phpUrlencode(v)}`));
const keyPair = fc.oneof(
  { weight: 8, arbitrary: fc.constant(`chave_unica=${chave}`) },
  { weight: 1, arbitrary: fc.constantFrom('chave_unica=wrong', 'chave_unica[]=x', '', `chave_unica=${chave}&chave_unica=forged`, `chave_unica=${chave.toUpperCase()}`) },
);

const body = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(keyPair, fc.array(pair, { maxLength: 25 }), fc.option(jsonField, { freq: 2, nil: null }), fc.nat({ max: 4 }))
      .map(([key, pairs, json, repeat]) => {
        const parts = [key, ...pairs];
        // Repeated names: the same fields again, PHP keeps the last value of each.
        for (let i = 0; i < repeat && pairs.length > 0; i++) parts.push(pairs[i % pairs.length]!);
        if (json !== null) parts.push(`json=${phpUrlencode(json)}`);
        return parts.join('&');
      }),
  },
  // Floods around the field limit.
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 990, max: 4_000 }), fc.constantFrom('a=1', 'a[]=1', 'a[99999999]=1', 'venda[codigo]=1')).map(([n, p]) => `chave_unica=${chave}&${Array(n).fill(p).join('&')}`) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')) },
);

function request(raw: string): WebhookRequest {
  return { method: 'POST', url: 'https://bundles.example.com/hooks/c/s', headers: { 'content-type': 'application/x-www-form-urlencoded' }, query: {}, rawBody: Buffer.from(raw, 'utf8'), body: null };
}

function checkEvents(events: ParsedEvent[]): void {
  expect(Array.isArray(events)).toBe(true);
  for (const e of events) {
    expect(e.type).toBe('monetizze.sale');
    expect(typeof e.dedupeKey === 'string' && e.dedupeKey.length > 0 && e.dedupeKey.length < 400).toBe(true);
    expect(['state', 'content']).toContain(e.keyKind);
    expect(typeof e.subject).toBe('string');
    const parsed = monetizzeSaleOutput.safeParse(e.payload);
    if (!parsed.success) throw new Error(`payload does not parse: ${JSON.stringify(parsed.error.issues).slice(0, 300)}`);
  }
}

describe('monetizze webhook under mangled postbacks', () => {
  it(`over ${runs.toLocaleString('en')} bodies: verify answers ok or a reason, parse throws only WebhookParseError or returns valid events, each under ${perRequestMs} ms`, () => {
    let withEvents = 0;
    fc.assert(
      fc.property(body, (raw) => {
        const req = request(raw);
        const started = performance.now();
        const verdict = webhook.verify(req, connection as never);
        expect(verdict.ok === true || (verdict.ok === false && typeof verdict.reason === 'string' && verdict.reason.length > 0)).toBe(true);
        let events: ParsedEvent[] | null = null;
        try {
          events = webhook.parse(req, connection as never);
        } catch (err) {
          if (!(err instanceof WebhookParseError)) throw err;
        }
        if (events) {
          checkEvents(events);
          if (events.length > 0) withEvents++;
        }
        const ms = performance.now() - started;
        if (ms >= perRequestMs) throw new Error(`took ${ms.toFixed(0)} ms for ${raw.length} bytes`);
      }),
      { numRuns: runs },
    );
    // The generator reaches the event-building code often enough to test it.
    expect(withEvents / runs).toBeGreaterThan(0.3);
  }, 120_000);
});
