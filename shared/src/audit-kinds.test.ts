// The audit log's sentences: one for each kind the server writes, naming the target, never empty or "undefined".
import { describe, expect, it } from 'vitest';
import { AUDIT_KIND_GROUPS, auditAction, auditSentence } from './audit-kinds.js';

const ana = { email: 'ana@loja.com.br' };

describe('audit sentences', () => {
  it('reads each kind as a sentence', () => {
    const read = (kind: string, detail = {}) => auditSentence({ kind, user: ana, detail });
    expect(read('login')).toBe('ana@loja.com.br signed in');
    expect(read('bundle.started', { name: 'Order paid → SMS', version: 3 })).toBe('ana@loja.com.br started bundle “Order paid → SMS” (version 3)');
    expect(read('bundle.saved', { name: 'Order paid → SMS', fields: ['graph'] })).toBe('ana@loja.com.br saved bundle “Order paid → SMS”');
    expect(read('bundle.deleted', { name: 'Old' })).toBe('ana@loja.com.br deleted bundle “Old”');
    expect(read('connection.tested', { name: 'Twilio', outcome: 'failed' })).toBe('ana@loja.com.br tested connection “Twilio” (it failed)');
    expect(read('token.created', { name: 'Zapier', scope: 'read' })).toBe('ana@loja.com.br made the API token “Zapier” (scope read)');
    expect(read('token.revoked')).toBe('ana@loja.com.br revoked an API token');
    expect(read('status_rule.changed', { name: 'Approved → SMS' })).toBe('ana@loja.com.br changed the status rule “Approved → SMS”');
    expect(read('settings.changed', { fields: ['name', 'auditDays'] })).toBe('ana@loja.com.br changed the workspace settings: name, audit log');
    expect(auditSentence({ kind: 'login', user: null, detail: {} })).toBe('Someone signed in');
  });

  it('has a sentence without gaps for every kind of the filter, with or without a name', () => {
    for (const g of AUDIT_KIND_GROUPS) {
      for (const kind of g.kinds) {
        expect(kind === g.prefix || kind.startsWith(g.prefix)).toBe(true);
        for (const detail of [{}, { name: 'X', version: 2, email: 'bia@loja.com.br', role: 'editor' }]) {
          const text = auditAction({ kind, user: ana, detail });
          expect(text, kind).not.toMatch(/undefined|null|\s{2}|\s$|^\s/);
          expect(text.length, kind).toBeGreaterThan(5);
        }
      }
    }
  });
});
