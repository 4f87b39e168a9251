// Which addresses outbound calls may reach: public ones, plus the hosts and ranges the operator allows
// (BUNDLES_ALLOWED_HOSTS, every workspace) and those a workspace's admin allows (its settings, for the
// calls made on its behalf: see guardFor). Checked on the address a name resolves to, at connect time (the address checked
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
  /** The hosts and ranges it allows besides public addresses. */
  allowed: readonly string[];
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
    return `${shown} is a ${range} address, which Bundles does not call unless a workspace admin allows it (Settings → Private addresses) or the operator allows it for every workspace (BUNDLES_ALLOWED_HOSTS)`;
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

  return { allowed: [...allowed], refusal, lookup };
}

/** The refusal for a URL that names an address itself (no lookup happens for it), if any. */
export function literalAddressRefusal(guard: AddressGuard, url: URL): string | null {
  // A guard never changes, so its verdict on a host is kept (a send path calls one host again and again).
  let verdicts = literalVerdicts.get(guard);
  if (!verdicts) literalVerdicts.set(guard, (verdicts = new Map()));
  const known = verdicts.get(url.hostname);
  if (known !== undefined) return known;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const verdict = ipaddr.isValid(host) ? guard.refusal(host, host) : null;
  if (verdicts.size >= literalVerdictsMax) verdicts.clear();
  verdicts.set(url.hostname, verdict);
  return verdict;
}

const literalVerdicts = new WeakMap<AddressGuard, Map<string, string | null>>();
const literalVerdictsMax = 256;

let processGuard: AddressGuard | null = null;

/** Guards widened by a workspace's list, by that list: each has its own connection pool (see http.ts). */
const widened = new Map<string, AddressGuard>();
const widenedMax = 256;

/**
 * The guard every outbound call of this process goes through (the HTTP client handed to nodes, provider
 * SDK transports): set once at start from the operator's settings. Unset, calls are not checked (unit tests).
 */
export function setOutboundGuard(guard: AddressGuard | null): void {
  processGuard = guard;
  widened.clear();
}

export function outboundGuard(): AddressGuard | null {
  return processGuard;
}

/**
 * The process's guard widened by a workspace's allowed hosts (the same guard for the same list). A widened
 * guard never shares connections with another: a socket opened to an address one workspace allows cannot
 * be reused by a workspace that does not allow it.
 */
export function guardFor(extra: readonly string[] | undefined): AddressGuard | null {
  if (!processGuard || !extra || extra.length === 0) return processGuard;
  const key = extra.join('\n');
  let guard = widened.get(key);
  if (!guard) {
    guard = createAddressGuard([...processGuard.allowed, ...extra]);
    if (widened.size >= widenedMax) widened.delete(widened.keys().next().value!);
    widened.set(key, guard);
  }
  return guard;
}

const hostName = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i;

/** Why an entry of an allow list is not a host name, an address or a CIDR range; null when it is one. */
export function allowEntryProblem(entry: string): string | null {
  const e = entry.trim();
  if (e.includes('/')) return ipaddr.isValidCIDR(e) ? null : 'is not a CIDR range (e.g. 10.0.0.0/8)';
  if (ipaddr.isValid(e) || hostName.test(e)) return null;
  return 'is not a host name, an address or a CIDR range';
}
