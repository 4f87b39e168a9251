// A real SMTP server on 127.0.0.1 (smtp-server) that keeps every mail it accepts, with the login it was
// given; `refuse` makes it answer recipients with a permanent failure, as a relay that will not deliver.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message (headers and body) as it arrived. */
  raw: string;
  /** The message with quoted-printable undone (soft line breaks joined, =XX decoded): what a reader sees. */
  text: string;
  user: string | undefined;
}

export interface FakeSmtp {
  /** `smtp://user:pass@127.0.0.1:port` */
  url: string;
  mails: ReceivedMail[];
  /** Resolves with the next mail that arrives (or the first already kept, when there is one not yet taken). */
  nextMail(): Promise<ReceivedMail>;
  refuse: boolean;
  close(): Promise<void>;
}

function decodeQuotedPrintable(s: string): string {
  const latin1 = s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

export async function startFakeSmtp(credentials = { user: 'bundles', pass: 'smtp secret' }): Promise<FakeSmtp> {
  const mails: ReceivedMail[] = [];
  let taken = 0;
  const waiting: Array<(m: ReceivedMail) => void> = [];
  const fake: FakeSmtp = {
    url: '',
    mails,
    refuse: false,
    nextMail: () =>
      new Promise((resolve) => {
        if (taken < mails.length) resolve(mails[taken++]!);
        else waiting.push(resolve);
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS offered (its certificate would be self-signed), login allowed without it.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.pass) return callback(null, { user: auth.username });
      return callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      if (fake.refuse) return callback(Object.assign(new Error(`550 No such mailbox: ${address.address}`), { responseCode: 550 }));
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          text: '',
          user: typeof session.user === 'string' ? session.user : undefined,
        };
        mail.text = /content-transfer-encoding:\s*quoted-printable/i.test(mail.raw) ? decodeQuotedPrintable(mail.raw) : mail.raw;
        mails.push(mail);
        const next = waiting.shift();
        if (next) {
          taken++;
          next(mail);
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  fake.url = `smtp://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@127.0.0.1:${port}`;
  return fake;
}
