// The ceiling of a workload: a bare Node.js `http` server that does the bundle's work and stores nothing.
// W1: parse the form, check the status, render the text, POST it to the (fake) Twilio with keep-alive,
// then answer. W2: parse Guru's JSON, check the status, build the text, POST the SMS and the order to
// the CRM at once, then answer. Run as a child process by run.ts; env: WORKLOAD (w1 | w2), TWILIO_URL,
// TWILIO_SID, TWILIO_TOKEN, CRM_URL (W2). Prints `READY <port>` on stdout when listening.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const base = new URL(process.env.TWILIO_URL!);
const sid = process.env.TWILIO_SID!;
const auth = 'Basic ' + Buffer.from(`${sid}:${process.env.TWILIO_TOKEN!}`).toString('base64');
const path = `/2010-04-01/Accounts/${sid}/Messages.json`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const template = 'Order {{ trigger.id }} is paid. Thank you!';

const workload = process.env.WORKLOAD ?? 'w1';
const crm = process.env.CRM_URL ? new URL(process.env.CRM_URL) : null;

function postTo(url: URL, pathname: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent,
        method: 'POST',
        host: url.hostname,
        port: url.port,
        path: pathname,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

function sendSms(text: string, to = '+15550001111'): Promise<number> {
  const body = new URLSearchParams({ To: to, From: '+15550002222', Body: text }).toString();
  return postTo(base, path, { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body);
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** W2: both calls at once; 200 when both were accepted. */
async function guruSale(sale: Json): Promise<number> {
  const contact: Json = sale.contact ?? {};
  const firstName = String(contact.name ?? '').split(' ')[0];
  const text = `Pedido ${sale.id} aprovado: ${sale.product?.name}. Obrigado, ${firstName}!`;
  const order = JSON.stringify({ orderId: sale.id, email: contact.email, total: sale.payment?.total, product: sale.product?.id });
  const [sms, crmStatus] = await Promise.all([
    sendSms(text, `+${contact.phone_local_code}${contact.phone_number}`),
    postTo(crm!, '/orders', { 'content-type': 'application/json' }, order),
  ]);
  return sms === 201 && crmStatus === 201 ? 200 : 502;
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const answer = (status: number) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{"ok":true}' : '{"ok":false}');
    };
    if (workload === 'w2') {
      const sale = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
      if (sale.status !== 'approved') return answer(200);
      return void guruSale(sale).then(answer);
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (form.get('event') !== 'status' || form.get('status') !== 'paid') return answer(200);
    const text = template.replace('{{ trigger.id }}', form.get('id') ?? '');
    sendSms(text).then((status) => answer(status === 201 ? 200 : 502));
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`READY ${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
