// Monetizze as tests meet it: postback bodies built byte for byte as its PHP platform posts them
// (http_build_query of the postback: PHP-style nested names, RFC 1738 encoding, nulls left out, plus a `json`
// field holding the whole postback as json_encode writes it), and a fake API 2.1 for "Test connection":
// GET /2.1/token with X_CONSUMER_KEY, then GET /2.1/transactions with TOKEN. The API's error bodies are a guess.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Value = string | number | boolean | null | undefined | Value[] | { [key: string]: Value };
export type PostbackData = { [key: string]: Value };

/** PHP's urlencode: RFC 1738, space as "+", only letters, digits and -_. left as they are. */
export function phpUrlencode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** PHP's http_build_query: `a[b][0][c]=v` for nested arrays, null skipped, true/false as 1/0. */
export function phpHttpBuildQuery(data: PostbackData): string {
  const parts: string[] = [];
  const walk = (name: string, value: Value): void => {
    if (value === null || value === undefined) return;
    if (typeof value === 'object') {
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      for (const [k, v] of entries) walk(`${name}[${k}]`, v);
      return;
    }
    const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    parts.push(`${phpUrlencode(name)}=${phpUrlencode(text)}`);
  };
  for (const [k, v] of Object.entries(data)) walk(k, v);
  return parts.join('&');
}

/** PHP's json_encode defaults: "/" written "\/", every non-ASCII character as \uXXXX. */
export function phpJsonEncode(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The body Monetizze posts: the postback's fields, then `json` with all of it (nulls included). */
export function monetizzeFormBody(data: PostbackData, opts: { json?: boolean } = {}): string {
  const form = phpHttpBuildQuery(data);
  if (opts.json === false) return form;
  return `${form}&json=${phpUrlencode(phpJsonEncode(data))}`;
}

export const monetizzeFormHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

function isObject(v: Value): v is { [key: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `base` with `overrides` merged in, objects deeply; an override of undefined removes the field. */
export function mergePostback(base: PostbackData, overrides: PostbackData): PostbackData {
  const out: PostbackData = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = isObject(v) && isObject(out[k]) ? mergePostback(out[k] as PostbackData, v) : v;
  }
  return out;
}

const statusText: Record<number, [string, string]> = {
  1: ['Aguardando pagamento', 'Aguardando pagamento'],
  2: ['Finalizada', 'Finalizada / Aprovada'],
  3: ['Cancelada', 'Cancelada'],
  4: ['Devolvida', 'Devolvida (Reembolso)'],
  5: ['Bloqueada', 'Bloqueada'],
  6: ['Completa', 'Completa'],
};

export interface SalePostbackOptions {
  chaveUnica: string;
  saleCode?: string;
  /** venda[codigo_status], 1–6. Default 1 (boleto issued). */
  statusCode?: number;
  overrides?: PostbackData;
}

/** A sale postback as the samples in Monetizze's example repository show it; a boleto unless told otherwise. */
export function monetizzeSalePostback(o: SalePostbackOptions): PostbackData {
  const code = o.statusCode ?? 1;
  const [status, event] = statusText[code] ?? ['Desconhecido', 'Desconhecido'];
  const saleCode = o.saleCode ?? '20458731';
  const boleto = code === 1;
  const base: PostbackData = {
    chave_unica: o.chaveUnica,
    produto: { codigo: '184512', chave: 'd166bc9efec4b99953fa17aa5912d648', nome: 'Curso Horta em Casa', categoria: 'Casa e Jardim' },
    tipoPostback: { codigo: 2, descricao: 'Produtor' },
    tipoEvento: { codigo: code, descricao: event },
    venda: {
      codigo: saleCode,
      plano: '35553',
      dataInicio: '2024-05-14 10:21:07',
      dataFinalizada: code === 1 ? '0000-00-00 00:00:00' : '2024-05-14 10:24:51',
      meioPagamento: 'Monetizze',
      formaPagamento: boleto ? 'Boleto' : 'Cartão de crédito',
      garantiaRestante: boleto ? 0 : 30,
      status,
      codigo_status: code,
      valor: '197.00',
      quantidade: '1',
      valorRecebido: '186.59',
      onebuyclick: '0',
      venda_upsell: null,
      tipo_frete: null,
      frete: '0.00',
      cupom: null,
      src: '',
      utm_source: 'instagram',
      linkBoleto: boleto ? `https://app.monetizze.com.br/boleto/imprimir/${saleCode}/8f14e45fceea167a5a36dedd4bea2543` : '',
      linha_digitavel: boleto ? '75691.44871 01002.680823 00450.520002 1 97450000019700' : '',
    },
    order_bump: 2,
    comissoes: [
      { refAfiliado: null, nome: 'Monetizze', tipo_comissao: 'Sistema', valor: '10.41', comissao: '5.28', email: '' },
      { refAfiliado: null, nome: 'Horta Viva Cursos Ltda', tipo_comissao: 'Produtor', valor: '186.59', comissao: '94.72', email: 'financeiro@hortaviva.com.br' },
    ],
    comprador: {
      nome: 'Maria Aparecida Souza',
      email: 'maria.souza@example.com.br',
      data_nascimento: '1988-03-14',
      cnpj_cpf: '39053344705',
      telefone: '(11) 98765-4321',
      cep: '04538132',
      cidade: 'São Paulo',
      estado: 'SP',
      pais: 'Brasil',
    },
    produtor: { cnpj_cpf: '12345678000190', nome: 'Horta Viva Cursos Ltda', email: 'financeiro@hortaviva.com.br' },
  };
  return o.overrides ? mergePostback(base, o.overrides) : base;
}

/** An abandoned checkout: event 7, no sale code, the recovery link to the filled-in checkout. */
export function monetizzeAbandonedPostback(o: { chaveUnica: string; overrides?: PostbackData }): PostbackData {
  const base: PostbackData = {
    chave_unica: o.chaveUnica,
    produto: { codigo: '184512', chave: 'd166bc9efec4b99953fa17aa5912d648', nome: 'Curso Horta em Casa' },
    tipoPostback: { codigo: 2, descricao: 'Produtor' },
    tipoEvento: { codigo: 7, descricao: 'Abandono de Checkout' },
    venda: { plano: '35553', dataInicio: '2024-05-14 11:02:40', valor: '197.00', quantidade: '1' },
    url_recuperacao: 'https://app.monetizze.com.br/r/AHX1234567?recuperacao=3f2a9c',
    comprador: { nome: 'Ana Clara', email: 'ana.clara@example.com', telefone: '11987650000' },
  };
  return o.overrides ? mergePostback(base, o.overrides) : base;
}

// ---------------------------------------------------------------------------------------------
// The fake API 2.1

export interface FakeMonetizzeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  receivedAt: number;
}

export interface FakeMonetizzeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function startFakeMonetizze(opts: { consumerKey?: string; recordCount?: number } = {}) {
  const consumerKey = opts.consumerKey ?? 'mz-consumer-key-0001';
  const requests: FakeMonetizzeRequest[] = [];
  const tokensIssued: string[] = [];
  const failures: FakeMonetizzeReply[] = [];
  let recordCount = opts.recordCount ?? 2;

  function send(res: ServerResponse, reply: FakeMonetizzeReply): void {
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...reply.headers });
    res.end(text);
  }

  function answer(req: IncomingMessage, url: URL): FakeMonetizzeReply {
    const failure = failures.shift();
    if (failure) return failure;
    if (req.method === 'GET' && url.pathname === '/2.1/token') {
      if (req.headers['x_consumer_key'] !== consumerKey) return { status: 403, body: { status: 403, error: 'Chave de acesso inválida' } };
      const token = randomBytes(16).toString('hex');
      tokensIssued.push(token);
      return { status: 200, body: { token, user_id: 88123, expire: Math.floor(Date.now() / 1000) + 3600 } };
    }
    if (req.method === 'GET' && url.pathname === '/2.1/transactions') {
      if (!tokensIssued.includes(String(req.headers['token'] ?? ''))) return { status: 401, body: { status: 401, error: 'Token inválido ou expirado' } };
      const dados = Array.from({ length: recordCount }, (_, i) => ({ venda: { codigo: String(20458700 + i), status: 'Finalizada' } }));
      return { status: 200, body: { recordCount: String(recordCount), pages: 1, page: 1, dados } };
    }
    return { status: 404, body: { status: 404, error: 'Not found' } };
  }

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, receivedAt: Date.now() });
      send(res, answer(req, url));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    /** The API base URL (the connection's baseUrl), with the /2.1 prefix as the real one has. */
    url: `http://127.0.0.1:${port}/2.1`,
    consumerKey,
    requests,
    tokensIssued,
    /** The next `n` requests get this answer. */
    failNext(n: number, reply: FakeMonetizzeReply) {
      for (let i = 0; i < n; i++) failures.push(reply);
    },
    setRecordCount(n: number) {
      recordCount = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type FakeMonetizze = Awaited<ReturnType<typeof startFakeMonetizze>>;
