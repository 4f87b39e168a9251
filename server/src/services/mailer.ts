// Outgoing e-mail (invitations) over the operator's SMTP server (BUNDLES_SMTP_URL), with nodemailer. Without
// it nothing is sent and the caller says so. The SMTP URL is an operator setting, not a user's: it does not
// pass the outbound address guard (an operator may well run the relay on loopback).
import nodemailer from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export type MailResult = { mailed: true } | { mailed: false; reason: string };

export interface Mailer {
  readonly configured: boolean;
  /** Never throws: a refusal or an unreachable server is answered as the reason it was not mailed. */
  send(mail: Mail): Promise<MailResult>;
}

/** How long one mail may take, from connecting to the server's last answer. */
const MAIL_TIMEOUT_MS = 10_000;

/** The server's answer without the URL's password (nodemailer's errors name the host, not the credentials). */
function reasonOf(err: unknown, smtpUrl: string): string {
  const message = err instanceof Error ? err.message : String(err);
  let password = '';
  try {
    password = decodeURIComponent(new URL(smtpUrl).password);
  } catch {
    // Not a URL: nothing to hide in the message.
  }
  const clean = password ? message.split(password).join('***') : message;
  return `The mail server did not take it: ${clean.slice(0, 300)}`;
}

export function createMailer(opts: { smtpUrl: string | undefined; from: string }): Mailer {
  const { smtpUrl, from } = opts;
  if (!smtpUrl) {
    return { configured: false, send: async () => ({ mailed: false, reason: 'No mail server is configured (BUNDLES_SMTP_URL).' }) };
  }
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: MAIL_TIMEOUT_MS,
    greetingTimeout: MAIL_TIMEOUT_MS,
    socketTimeout: MAIL_TIMEOUT_MS,
  });
  return {
    configured: true,
    async send(mail) {
      try {
        await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
        return { mailed: true };
      } catch (err) {
        return { mailed: false, reason: reasonOf(err, smtpUrl) };
      }
    },
  };
}
