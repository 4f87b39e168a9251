import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAddressGuard, literalAddressRefusal } from './address-guard.js';

const strict = createAddressGuard([]);
const lookup = (guard: ReturnType<typeof createAddressGuard>, host: string) =>
  new Promise<string>((resolve, reject) => guard.lookup(host, { family: 4 }, (err, address) => (err ? reject(err) : resolve(address as string))));

describe('the address guard', () => {
  it('refuses loopback, private, link-local (metadata), unique-local, CGNAT and unspecified addresses', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.5', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fc00::1', 'fe80::1', '::ffff:127.0.0.1', '::', '255.255.255.255']) {
      expect(strict.refusal('h', a), a).toMatch(/does not call/);
    }
    expect(strict.refusal('metadata.internal', '169.254.169.254')).toContain('metadata.internal (169.254.169.254) is a linkLocal address');
  });

  it('lets public addresses through, and the hosts and ranges the operator allows', () => {
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) expect(strict.refusal('h', a), a).toBeNull();
    const allowing = createAddressGuard([' localhost ', '10.0.0.0/8', '127.0.0.1', '::1']);
    expect(allowing.refusal('localhost', '127.0.0.1')).toBeNull();
    expect(allowing.refusal('crm.lan', '10.20.30.40')).toBeNull();
    expect(allowing.refusal('crm.lan', '192.168.0.1')).not.toBeNull();
    expect(allowing.refusal('h', '::ffff:127.0.0.1')).toBeNull();
    expect(allowing.refusal('h', '127.0.0.2')).not.toBeNull();
  });

  it('judges a URL that names an address itself, and the address a name resolves to', async () => {
    expect(literalAddressRefusal(strict, new URL('http://127.0.0.1:8080/x'))).not.toBeNull();
    expect(literalAddressRefusal(strict, new URL('http://[::1]:8080/x'))).not.toBeNull();
    expect(literalAddressRefusal(strict, new URL('http://example.com/x'))).toBeNull();
    await expect(lookup(strict, 'localhost')).rejects.toMatchObject({ code: 'E_ADDRESS_NOT_ALLOWED' });
    expect(await lookup(createAddressGuard(['localhost']), 'localhost')).toMatch(/^127\./);
  });

  it('reads any allow list without throwing, and never allows a private address it does not name', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.ipV4(), fc.ipV6(), fc.domain()), { maxLength: 8 }), fc.ipV4(), (entries, address) => {
        const guard = createAddressGuard(entries.filter((e) => !e.includes('/') && e.trim().toLowerCase() !== 'host.example'));
        const named = entries.some((e) => e.trim() === address);
        const refused = guard.refusal('host.example', address) !== null;
        if (!named && strict.refusal('host.example', address) !== null) expect(refused).toBe(true);
        if (named) expect(refused).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
