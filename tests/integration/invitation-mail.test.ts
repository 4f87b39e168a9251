// Invitations go out by mail through the operator's SMTP server (BUNDLES_SMTP_URL), a real one on loopback:
// the mail arrives, logged in, with the link that lets the invited person in; a server that refuses the
// recipient leaves the invitation made, its link shown, and says why it was not mailed.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp.js';

let b: TestBundles;
let smtp: FakeSmtp;

beforeAll(async () => {
  smtp = await startFakeSmtp();
  // Only the fakes' loopback is not allowed here: the SMTP server is the operator's, outside the outbound guard.
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), {
    smtpUrl: smtp.url,
    smtpFrom: 'Bundles <noreply@shop.example>',
    allowedHosts: [],
  });
});
afterAll(async () => {
  await b?.close();
  await smtp?.close();
});

describe('invitation mail', () => {
  it('mails the link to the invited address, which then lets them in', async () => {
    const arriving = smtp.nextMail();
    const res = await b.api('POST', '/api/invitations', { email: 'mailed@example.com', role: 'viewer' });
    expect(res.status).toBe(201);
    expect(res.body.mailed).toBe(true);
    expect(res.body.mailError).toBeUndefined();
    const mail = await arriving;
    expect(mail.to).toEqual(['mailed@example.com']);
    expect(mail.from).toBe('noreply@shop.example');
    expect(mail.user).toBe('bundles');
    expect(mail.text).toMatch(/^Subject: You are invited to My workspace on Bundles/im);
    expect(mail.text).toContain(res.body.url);
    expect(mail.text).toContain('as viewer');

    const token = res.body.url.split('/invite/')[1];
    const accept = await b.app!.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token, name: 'Mailed', password: 'a good password' } });
    expect(accept.statusCode).toBe(200);
  });

  it('keeps the invitation, and says why, when the mail server refuses it', async () => {
    smtp.refuse = true;
    try {
      const res = await b.api('POST', '/api/invitations', { email: 'bounced@example.com', role: 'editor' });
      expect(res.status).toBe(201);
      expect(res.body.mailed).toBe(false);
      expect(res.body.mailError).toContain('550');
      expect(res.body.mailError).not.toContain('smtp secret');
      expect(res.body.url).toContain('/invite/');
      const pending = (await b.api('GET', '/api/invitations')).body.map((i: { email: string }) => i.email);
      expect(pending).toContain('bounced@example.com');
    } finally {
      smtp.refuse = false;
    }
  });
});
