// The ceiling of W1: a bare Node.js `http` server that does the bundle's work and stores nothing.
// Parse the form, check the status, render the text, POST it to the (fake) Twilio with keep-alive,
// then answer. Run as a child process by run.ts; env: TWILIO_URL, TWILIO_SID, TWILIO_TOKEN.
// Prints `READY <port>` on stdout when listening.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const base = new URL(process.env.TWILIO_URL!);
const sid = process.env.TWILIO_SID!;
const auth = 'Basic ' + Buffer.from(`${sid}:${process.env.TWILIO_TOKEN!}`).toString('base64');
const path = `/2010-04-01/Accounts/${sid}/Messages.json`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const template = 'Order {{ trigger.id }} is paid. Thank you!';

function sendSms(text: string): Promise<number> {
  const body = new URLSearchParams({ To: '+15550001111', From: '+15550002222', Body: text }).toString();
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent,
        method: 'POST',
        host: base.hostname,
        port: base.port,
        path,
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
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

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const answer = (status: number) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{"ok":true}' : '{"ok":false}');
    };
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
