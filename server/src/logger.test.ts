import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { providers, secretFields } from '@bundles/nodes';
import { createLogger, logFormatOf, redactedPaths } from './logger.js';

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

describe('log format', () => {
  it('is JSON unless a person reads a terminal, and LOG_FORMAT decides when set', () => {
    expect(logFormatOf({}, true)).toBe('pretty');
    expect(logFormatOf({}, false)).toBe('json');
    expect(logFormatOf({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormatOf({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('prints a short line for a person, secrets still redacted', async () => {
    let text = '';
    const out = new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    });
    const log = createLogger('info', 'pretty', out);
    log.info({ config: { authToken: 'f00dcafe' }, url: 'http://127.0.0.1:3000' }, 'Bundles is running');
    log.flush();
    await new Promise((r) => setImmediate(r));
    const [line, ...rest] = text.trim().split('\n');
    expect(rest).toEqual([]);
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: Bundles is running \{.*"url":"http:\/\/127\.0\.0\.1:3000".*\}$/);
    expect(line).toContain('"authToken":"***"');
    expect(line).not.toContain('f00dcafe');
    expect(line).not.toMatch(/"pid"|"level"/);
  });
});
