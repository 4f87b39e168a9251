import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { providers, secretFields } from '@bundles/nodes';
import { redactedPaths } from './logger.js';

describe('log redaction', () => {
  it('covers every secret field of every provider, from the definitions', () => {
    const paths = redactedPaths();
    for (const p of providers) for (const f of secretFields(p)) expect(paths).toContain(`config.${f}`);
    expect(paths).toEqual(expect.arrayContaining(['config.authToken', 'config.apiKey', 'config.headerValue', 'config.token', 'connection.config.appSecret']));
  });

  it('writes *** where a secret was', () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino({ redact: { paths: redactedPaths(), censor: '***' } }, out);
    log.info({ config: { accountSid: 'AC123', authToken: 'f00dcafe', password: 'pw' }, connection: { config: { apiKey: 'rcrm-key' } } }, 'connection loaded');
    const line = JSON.parse(lines[0]!);
    expect(line.config).toEqual({ accountSid: 'AC123', authToken: '***', password: '***' });
    expect(line.connection.config.apiKey).toBe('***');
  });
});
