import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';
import { EDITOR_CSP } from './security-headers.js';

let b: TestBundles;
beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
});
afterAll(() => b?.close());

describe('security headers', () => {
  it('give the editor a content security policy that forbids framing, and every answer nosniff', async () => {
    for (const url of ['/', '/bundles/some-id']) {
      const page = await b.app!.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.headers['content-security-policy']).toBe(EDITOR_CSP);
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(EDITOR_CSP).toContain("frame-ancestors 'none'");
    expect(EDITOR_CSP).not.toContain('unsafe-eval');
    const api = await b.api('GET', '/api/flows');
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['content-security-policy']).toBeUndefined();
  });

  it('leave the API docs page (inline scripts of Swagger UI) without the editor’s policy', async () => {
    const docs = await b.app!.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBeLessThan(400);
    expect(docs.headers['content-security-policy']).toBeUndefined();
  });
});
