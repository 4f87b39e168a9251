// A Monetizze postback → the sale event flows see: status from venda[codigo_status], buyer phone in E.164,
// and a dedupe key by sale and status (or, for an abandoned checkout, by product, buyer and checkout).
import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { WebhookParseError, type ParsedEvent } from '../define.js';
import { textAt, type Postback, type PostbackFields } from './postback.js';
import { monetizzeSaleOutput, type MonetizzeSale, type MonetizzeSaleStatus } from './schemas.js';

export const MONETIZZE_SALE_EVENT = 'monetizze.sale';

/** venda[codigo_status] (AGUARDANDO_PAGAMENTO=1 … COMPLETA=6, Monetizze's example script). */
const statusByCode: Record<number, Exclude<MonetizzeSaleStatus, 'abandoned'>> = {
  1: 'awaiting_payment',
  2: 'paid',
  3: 'cancelled',
  4: 'refunded',
  5: 'blocked',
  6: 'complete',
};

/** venda[status] as Monetizze words it, for postbacks without codigo_status (its "Testar" button sends none). */
const statusByText: Record<string, number> = {
  'aguardando pagamento': 1,
  finalizada: 2,
  'finalizada / aprovada': 2,
  aprovada: 2,
  cancelada: 3,
  devolvida: 4,
  'devolvida (reembolso)': 4,
  reembolsada: 4,
  bloqueada: 5,
  completa: 6,
};

/** tipoEvento[codigo] 7 = "Abandono de Checkout"; 1–6 repeat the sale statuses; the rest (120 tracking, 101–106 subscriptions) are other events. */
const ABANDONED_EVENT = 7;

const normalize = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();

function smallInt(value: string | null): number | null {
  if (value === null || !/^\d{1,3}$/.test(value)) return null;
  return Number(value);
}

/** The sale's status code: codigo_status, else the status text, else the event type; null when none is known. */
function statusCodeOf(data: PostbackFields): number | null {
  const code = smallInt(textAt(data, 'venda', 'codigo_status'));
  if (code !== null && statusByCode[code]) return code;
  const text = textAt(data, 'venda', 'status');
  const byText = text === null ? undefined : statusByText[normalize(text)];
  if (byText) return byText;
  const event = smallInt(textAt(data, 'tipoEvento', 'codigo'));
  return event !== null && statusByCode[event] ? event : null;
}

/**
 * "1457.00" → 1457; also "1.457,00" and "27,50" as Brazilians write them. Monetizze's own examples use a
 * dot and two decimals; the comma forms are a guess kept here.
 */
export function parseAmount(value: string | null): number | null {
  if (value === null) return null;
  let s = value.replace(/^R\$\s*/i, '').trim();
  if (s.includes(',')) s = s.replace(/\./g, '').replace(',', '.');
  if (!/^-?\d{1,15}(\.\d{1,6})?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/**
 * The buyer's phone in E.164, Brazil by default: "(11) 98765-4321" → "+5511987654321". Monetizze's samples
 * show national numbers with a mask; a number with the country code but no "+" (5511987654321) is a guess
 * we accept too. Anything libphonenumber does not call valid → null.
 */
export function buyerPhone(raw: string | null): string | null {
  if (raw === null || raw.length > 40) return null;
  const direct = parsePhoneNumberFromString(raw, 'BR');
  if (direct?.isValid()) return direct.number;
  const digits = raw.replace(/\D/g, '');
  if (digits.startsWith('55') && (digits.length === 12 || digits.length === 13)) {
    const withCountry = parsePhoneNumberFromString(`+${digits}`);
    if (withCountry?.isValid()) return withCountry.number;
  }
  return null;
}

const firstNameOf = (name: string | null) => name?.split(/\s+/)[0] ?? null;

function saleOf(data: PostbackFields, abandoned: boolean, statusCode: number | null): MonetizzeSale {
  const name = textAt(data, 'comprador', 'nome');
  // url_recuperacao is top-level in Monetizze's example; some integrations read it under venda too.
  const checkoutUrl = textAt(data, 'url_recuperacao') ?? textAt(data, 'venda', 'url_recuperacao');
  return {
    saleCode: textAt(data, 'venda', 'codigo'),
    status: abandoned ? 'abandoned' : statusByCode[statusCode!]!,
    statusCode: abandoned ? null : statusCode,
    product: { code: textAt(data, 'produto', 'codigo'), name: textAt(data, 'produto', 'nome') },
    buyer: { name, firstName: firstNameOf(name), email: textAt(data, 'comprador', 'email'), phone: buyerPhone(textAt(data, 'comprador', 'telefone')) },
    value: parseAmount(textAt(data, 'venda', 'valor')),
    paymentMethod: textAt(data, 'venda', 'formaPagamento'),
    boletoUrl: textAt(data, 'venda', 'linkBoleto'),
    boletoLine: textAt(data, 'venda', 'linha_digitavel'),
    checkoutUrl,
    abandoned,
  };
}

/** A key part as it came when short, else its hash (keys stay short whatever the body holds). */
function keyPart(value: string): string {
  return value.length <= 120 ? value : createHash('sha256').update(value).digest('hex').slice(0, 32);
}
const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

/**
 * An abandoned checkout has no sale code. Its subject is the product and the buyer (e-mail, else phone);
 * its key adds the checkout itself: venda[dataInicio] (when the checkout started), else the recovery link.
 * With none of those the key is the content, a duplicate only within the short content window.
 */
function abandonedKeys(data: PostbackFields, sale: MonetizzeSale): Pick<ParsedEvent, 'dedupeKey' | 'keyKind' | 'subject'> {
  const buyer = sale.buyer.email?.toLowerCase() ?? sale.buyer.phone ?? textAt(data, 'comprador', 'telefone');
  const subject = `checkout:${keyPart(sale.product.code ?? '')}:${keyPart(buyer ?? '')}`;
  const started = textAt(data, 'venda', 'dataInicio');
  const checkout = started ?? (sale.checkoutUrl ? hashOf(sale.checkoutUrl) : null);
  if (buyer !== null && checkout !== null) return { dedupeKey: `${subject}:${keyPart(checkout)}`, keyKind: 'state', subject };
  return { dedupeKey: `${subject}:${hashOf(sale)}`, keyKind: 'content', subject };
}

/** The events of one postback: one sale event, or none for postbacks of other kinds (tracking, subscriptions alone). */
export function monetizzeEvents(postback: Postback): ParsedEvent[] {
  const { data } = postback;
  const saleCode = textAt(data, 'venda', 'codigo');
  const eventCode = smallInt(textAt(data, 'tipoEvento', 'codigo'));
  const abandoned = eventCode === ABANDONED_EVENT || (saleCode === null && (eventCode === null || statusByCode[eventCode] !== undefined));
  if (!abandoned && saleCode === null) return [];
  const statusCode = abandoned ? null : statusCodeOf(data);
  if (!abandoned && statusCode === null) {
    const said = textAt(data, 'venda', 'codigo_status') ?? textAt(data, 'venda', 'status') ?? 'nothing';
    throw new WebhookParseError(`Monetizze postback for sale ${saleCode!.slice(0, 60)} has a status we do not know (venda[codigo_status]/venda[status]: ${said.slice(0, 60)})`);
  }
  const sale = saleOf(data, abandoned, statusCode);
  const checked = monetizzeSaleOutput.safeParse(sale);
  if (!checked.success) throw new WebhookParseError(`Monetizze postback could not be read: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  const keys = abandoned
    ? abandonedKeys(data, sale)
    : { dedupeKey: `sale:${keyPart(saleCode!)}:${statusCode}`, keyKind: 'state' as const, subject: `sale:${keyPart(saleCode!)}` };
  return [{ type: MONETIZZE_SALE_EVENT, ...keys, payload: checked.data }];
}

/** The account key a postback carries: the form's chave_unica, else the one inside the `json` field. */
export function postbackKey(postback: Postback): string | null {
  return textAt(postback.form, 'chave_unica') ?? (postback.source === 'json' ? textAt(postback.data, 'chave_unica') : null);
}
