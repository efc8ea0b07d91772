import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmetHeaders } from './security-headers.js';
import { type Harness, startHarness } from './testing/harness.js';

const CSP =
  "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';" +
  "img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';" +
  'upgrade-insecure-requests';
// What helmet 8 sets besides the CSP, as the dashboard and the API answer with them.
const OTHERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

describe('helmetHeaders', () => {
  it("is helmet's answer for the options, names in lower case", () => {
    const h = helmetHeaders({ contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'] } } });
    expect(h['content-security-policy']).toContain("img-src 'self' data:");
    expect(h).toMatchObject(OTHERS);
  });

  it('leaves out what the options turn off', () => {
    const h = helmetHeaders({ contentSecurityPolicy: false, xFrameOptions: false });
    expect(h['content-security-policy']).toBeUndefined();
    expect(h['x-frame-options']).toBeUndefined();
    expect(h['x-content-type-options']).toBe('nosniff');
  });
});

describe('every answer of the API carries the security headers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => h?.close());

  for (const [what, url, status] of [
    ['a public route', '/api/health', 200],
    ['a request refused at the door', '/api/overview', 401],
    ['a path with no route', '/api/no-such-route', 404],
  ] as const)
    it(what, async () => {
      const r = await h.app.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(status);
      expect(r.headers['content-security-policy']).toBe(CSP);
      expect(r.headers).toMatchObject(OTHERS);
    });

  it('the API docs keep their own content security policy', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-security-policy']).toContain("img-src 'self' data: validator.swagger.io");
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});
