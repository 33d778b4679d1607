import { securityHeaders } from './security-headers.js';

describe('securityHeaders', () => {
  const { set } = securityHeaders();

  it("carries helmet's defaults", () => {
    expect(set['x-content-type-options']).toBe('nosniff');
    expect(set['x-frame-options']).toBe('SAMEORIGIN');
    expect(set['strict-transport-security']).toMatch(/^max-age=\d+; includeSubDomains$/);
    expect(set['referrer-policy']).toBe('no-referrer');
    expect(set['cross-origin-opener-policy']).toBe('same-origin');
    expect(set['x-dns-prefetch-control']).toBe('off');
  });

  it('carries our content security policy, parsed once', () => {
    const csp = set['content-security-policy'].split(';');
    expect(csp).toEqual(
      expect.arrayContaining([
        "default-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "script-src 'self' 'unsafe-inline'",
        "object-src 'none'",
        "frame-ancestors 'self'",
      ]),
    );
  });

  it('follows the options it is given', () => {
    const none = securityHeaders({ contentSecurityPolicy: false }).set;
    expect(none['content-security-policy']).toBeUndefined();
    expect(none['x-content-type-options']).toBe('nosniff');
  });
});
