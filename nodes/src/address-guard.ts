// Which addresses outbound calls may reach: public ones, plus the hosts and ranges the operator allows
// (BUNDLES_ALLOWED_HOSTS). Checked on the address a name resolves to, at connect time (the address checked
// is the one connected to, so a name that changes its answer in between gains nothing), and for a URL that
// names an address itself. Loopback, private, link-local (cloud metadata, 169.254.169.254), unique-local,
// carrier-grade NAT and reserved ranges are refused.
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export const ADDRESS_NOT_ALLOWED = 'E_ADDRESS_NOT_ALLOWED';

export class AddressNotAllowedError extends Error {
  readonly code = ADDRESS_NOT_ALLOWED;
}

export interface AddressGuard {
  /** Why `host` (resolved to `address`) may not be called, or null when it may. */
  refusal(host: string, address: string): string | null;
  /** A `dns.lookup` that refuses what `refusal` refuses (for http agents and undici's connector). */
  lookup: LookupFunction;
}

/** `allowed`: host names, addresses and CIDR ranges (`127.0.0.1`, `localhost`, `10.0.0.0/8`, `::1`). */
export function createAddressGuard(allowed: readonly string[]): AddressGuard {
  const hosts = new Set<string>();
  const ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  for (const raw of allowed) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry.includes('/') && ipaddr.isValidCIDR(entry)) ranges.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const ip = ipaddr.process(entry);
      ranges.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
    } else hosts.add(entry);
  }
  const inAllowedRange = (ip: ipaddr.IPv4 | ipaddr.IPv6) => ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));

  const refusal = (host: string, address: string): string | null => {
    if (hosts.has(host.toLowerCase())) return null;
    if (!ipaddr.isValid(address)) return `${host}: ${address} is not an address`;
    // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it is.
    const ip = ipaddr.process(address);
    if (inAllowedRange(ip)) return null;
    const range = ip.range();
    if (range === 'unicast') return null;
    const shown = host === address ? address : `${host} (${address})`;
    return `${shown} is a ${range} address, which Bundles does not call unless the operator allows it (BUNDLES_ALLOWED_HOSTS)`;
  };

  const lookup: LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      for (const a of addresses) {
        const reason = refusal(hostname, a.address);
        if (reason) return callback(new AddressNotAllowedError(reason), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, all: dns.LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      return callback(null, first.address, first.family);
    });
  };

  return { refusal, lookup };
}

/** The refusal for a URL that names an address itself (no lookup happens for it), if any. */
export function literalAddressRefusal(guard: AddressGuard, url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(host) ? guard.refusal(host, host) : null;
}

let processGuard: AddressGuard | null = null;

/**
 * The guard every outbound call of this process goes through (the HTTP client handed to nodes, provider
 * SDK transports): set once at start from the operator's settings. Unset, calls are not checked (unit tests).
 */
export function setOutboundGuard(guard: AddressGuard | null): void {
  processGuard = guard;
}

export function outboundGuard(): AddressGuard | null {
  return processGuard;
}
