import { describe, expect, it } from 'vitest';
import { WebhookParseError } from './define.js';
import { boundedJson } from './webhooks.js';
import { tokopedia } from './tokopedia/provider.js';
import { testConnection } from './testing.js';

const nested = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { v };
  return v;
};

describe('boundedJson', () => {
  it('writes JSON up to the depth limit and refuses deeper values with a parse error, not a stack overflow', () => {
    expect(boundedJson({ a: [1, { b: 'c' }] })).toBe('{"a":[1,{"b":"c"}]}');
    expect(boundedJson(undefined)).toBe('null');
    expect(() => boundedJson(nested(64))).not.toThrow();
    expect(() => boundedJson(nested(65))).toThrow(WebhookParseError);
    expect(() => boundedJson(nested(100_000))).toThrow(/deeper than 64/);
  });

  it('keeps a provider parse from overflowing the stack on a deeply nested payload (found by the property test)', () => {
    const body = { msg_id: 1, buyer_id: 2, shop_id: 3, message: '', payload: nested(20_000) };
    const req = { method: 'POST', url: 'http://127.0.0.1/hooks/x/y', headers: {}, query: {}, rawBody: Buffer.from('{}'), body };
    const conn = testConnection('tokopedia', { fsId: '1', clientId: 'c', clientSecret: 's', shopId: '3', webhookSecret: 'w' });
    expect(() => tokopedia.definition.webhook!.parse(req, conn as never)).toThrow(WebhookParseError);
  });
});
