import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where Baton may send requests on a tenant's behalf (webhook URLs, push endpoints): public
 * unicast addresses only, unless the operator allows more with BATON_PRIVATE_DESTINATIONS.
 * Otherwise a tenant could point a webhook at the server's own loopback services, the cloud
 * metadata endpoint (169.254.169.254) or the private network, and learn from the delivery log
 * which ports answer (server-side request forgery).
 *
 * Checked twice: when the URL is stored (literal addresses and `localhost`; other names are not
 * resolved then, since DNS can change), and when connecting, on every address the name resolved
 * to. The connection check is the socket's own `lookup`, so the address that was checked is the
 * address connected to: a name that answers differently the second time (DNS rebinding) gains
 * nothing.
 *
 * Ranges come from ipaddr.js's special-purpose registry (RFC 6890 and successors): anything it
 * does not call `unicast` is refused, IPv4-mapped IPv6 addresses are judged as the IPv4 address
 * they carry, and deprecated IPv4-compatible ones (`::a.b.c.d`) are refused outright.
 */

export const PRIVATE_DESTINATIONS_ENV = 'BATON_PRIVATE_DESTINATIONS';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface DestinationPolicy {
  /** `*`: every address is allowed. */
  readonly allowAll: boolean;
  /** Non-public ranges the operator allows anyway. */
  readonly allowed: readonly (readonly [Address, number])[];
}

/** Public unicast only: the default. */
export const PUBLIC_ONLY: DestinationPolicy = { allowAll: false, allowed: [] };

/**
 * Reads BATON_PRIVATE_DESTINATIONS: comma-separated CIDR ranges (`127.0.0.0/8,::1/128`), bare
 * addresses (a /32 or /128), or `*`. Throws on anything else, so a typo stops the server instead
 * of silently allowing less (or more) than meant.
 */
export function parseDestinationPolicy(value: string | readonly string[] | undefined): DestinationPolicy {
  const entries = (typeof value === 'string' ? value.split(',') : (value ?? [])).map((e) => e.trim()).filter((e) => e.length > 0);
  if (entries.includes('*')) return { allowAll: true, allowed: [] };
  const allowed = entries.map((entry): readonly [Address, number] => {
    try {
      const [net, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : ((a) => [a, a.kind() === 'ipv4' ? 32 : 128] as const)(ipaddr.parse(entry));
      // An IPv4-mapped range means the IPv4 range: addresses are compared in their IPv4 form.
      if (net.kind() === 'ipv6' && (net as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return [(net as ipaddr.IPv6).toIPv4Address(), bits - 96];
      return [net, bits];
    } catch {
      throw new Error(`${PRIVATE_DESTINATIONS_ENV}: "${entry}" is not a CIDR range (such as 10.0.0.0/8 or fd00::/8), an IP address, or *`);
    }
  });
  return { allowAll: false, allowed };
}

const RANGE_NAMES: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique-local address',
  multicast: 'a multicast address',
  unspecified: 'an unspecified address',
  broadcast: 'the broadcast address',
  carrierGradeNat: 'a shared (carrier-grade NAT) address',
  reserved: 'a reserved address',
  ipv4Compatible: 'an IPv4-compatible IPv6 address',
};

function rangeOf(ip: Address): string {
  if (ip.kind() === 'ipv6') {
    const parts = (ip as ipaddr.IPv6).parts;
    // ::a.b.c.d (RFC 4291 §2.5.5.1, deprecated): some stacks still route it as the IPv4 address.
    if (parts.slice(0, 6).every((p) => p === 0) && (parts[6] !== 0 || parts[7]! > 1)) return 'ipv4Compatible';
  }
  return ip.range();
}

/** The address in the form it is judged in: IPv4-mapped IPv6 addresses as their IPv4 address. */
function canonical(address: string | Address): Address {
  const ip = typeof address === 'string' ? ipaddr.parse(address) : address;
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
}

/** Why this address may not be a destination under the policy, or null when it may. */
export function refusalOf(policy: DestinationPolicy, address: string | Address): string | null {
  const ip = canonical(address);
  const range = rangeOf(ip);
  if (range === 'unicast' || policy.allowAll) return null;
  if (policy.allowed.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) return null;
  return `${ip.toString()}, ${RANGE_NAMES[range] ?? `a special-purpose address (${range})`}`;
}

/**
 * Names public DNS never answers for, by suffix: `localhost` always means this machine (RFC 6761);
 * `internal` is ICANN's private-use domain (cloud metadata is `metadata.google.internal`), `local`
 * is multicast DNS (RFC 6762) and `home.arpa` home networks (RFC 8375).
 */
const SPECIAL_USE_NAMES = [
  { suffix: 'localhost', loopback: true },
  { suffix: 'internal', loopback: false },
  { suffix: 'local', loopback: false },
  { suffix: 'home.arpa', loopback: false },
] as const;

function specialUseName(host: string): (typeof SPECIAL_USE_NAMES)[number] | undefined {
  const n = host.toLowerCase().replace(/\.$/, '');
  return SPECIAL_USE_NAMES.find(({ suffix }) => n === suffix || n.endsWith(`.${suffix}`));
}

const bareHost = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * The creation-time check of an http(s) URL: why it may not be stored, or null. WHATWG URL
 * parsing has already turned `2130706433`, `0x7f.1` and `0177.0.0.1` into `127.0.0.1`.
 */
export function urlRefusal(policy: DestinationPolicy, url: string): string | null {
  let host: string;
  try {
    host = bareHost(new URL(url).hostname);
  } catch {
    return 'it is not a URL';
  }
  if (isIP(host)) {
    const why = refusalOf(policy, host);
    return why && `it points to ${why}`;
  }
  const special = specialUseName(host);
  if (special?.loopback) return refusalOf(policy, '127.0.0.1') && refusalOf(policy, '::1') ? `it points to ${host}, a loopback name` : null;
  // A private network's name is refused at once where no private range is allowed, rather than
  // accepted and refused at each delivery; with one allowed, the delivery judges its address.
  if (special && !policy.allowAll && policy.allowed.length === 0) return `it is a name under .${special.suffix}, which only private networks resolve`;
  return null;
}

/** The message every refusal carries, naming the setting that would allow it. */
export const refusedMessage = (what: string, why: string) =>
  `${what} is not an allowed destination: ${why}. Loopback, private, link-local and other non-public addresses need the server operator's permission (${PRIVATE_DESTINATIONS_ENV}).`;

/** A connection Baton would not make; retrying cannot change that. */
export class DestinationRefusedError extends Error {
  readonly code = 'EDESTINATIONREFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'DestinationRefusedError';
  }
}

/** How host names become addresses for outbound connections; tests inject their own. */
export type HostResolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * A socket `lookup` that resolves with `resolve` and refuses the connection unless every address
 * the name resolved to is allowed: the check and the connection use the same answer.
 */
export function guardedLookup(policy: DestinationPolicy, resolve: HostResolver): LookupFunction {
  return ((hostname: string, options: LookupOptions, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    resolve(hostname).then(
      (all) => {
        for (const a of all) {
          const why = refusalOf(policy, a.address);
          if (why) return callback(new DestinationRefusedError(refusedMessage(hostname, `it resolves to ${why}`)), '');
        }
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        if (wanted.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
        if (options.all) return callback(null, wanted);
        return callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: Error) => callback(error, ''),
    );
  }) as LookupFunction;
}

/** The delivery-time check of a URL whose host is a literal address (no lookup happens for those). */
export function literalHostRefusal(policy: DestinationPolicy, url: URL): string | null {
  const host = bareHost(url.hostname);
  if (!isIP(host)) return null;
  const why = refusalOf(policy, host);
  return why && refusedMessage(url.host, `it points to ${why}`);
}
