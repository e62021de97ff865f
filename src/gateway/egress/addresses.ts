import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses an outbound request may reach, per source of the URL (docs/gateway.md,
 * "Outbound requests: the egress guard").
 *
 * - `instance`: URLs an admin registered for an http service. In a cluster MCP servers are internal
 *   services, so private, loopback and unique-local addresses are allowed; link-local, cloud
 *   metadata, unspecified, broadcast and multicast addresses are not.
 * - `public`: anything a user or a provider supplies (OAuth client metadata documents, import URLs,
 *   marketplace endpoints). Only global unicast addresses.
 *
 * Either is widened by the operator allowlist (`EGRESS_ALLOW`): host names (`*.svc.local` for a
 * suffix) and CIDRs (a bare address is its own /32 or /128).
 */
export type EgressPolicy = 'instance' | 'public';

export const EGRESS_POLICIES: readonly EgressPolicy[] = ['instance', 'public'];

/**
 * An outbound request the guard will not make; `reason` says which address or form and why.
 * `kind`: 'address' (a forbidden address, literal or resolved), 'url' (scheme, user info, not a
 * URL), 'unresolvable' (the name has no address now; fail closed).
 */
export class EgressRefused extends Error {
  override name = 'EgressRefused';
  /** Node-style code, so connection-error handling that reads `err.code` recognises it. */
  readonly code = 'EGRESS_REFUSED';
  constructor(
    readonly reason: string,
    readonly kind: 'address' | 'url' | 'unresolvable' = 'address',
  ) {
    super(`Outbound request refused: ${reason}`);
  }
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Addresses that are neither link-local nor special in ipaddr.js but serve cloud instance metadata. */
const METADATA: ReadonlyArray<[string, string]> = [
  ['fd00:ec2::/32', 'the AWS IPv6 instance services range (metadata at fd00:ec2::254)'],
  ['100.100.100.200/32', 'the Alibaba Cloud metadata address'],
];
const metadataRanges = METADATA.map(([cidr, what]) => ({ range: ipaddr.parseCIDR(cidr), what }));

/** `::a.b.c.d` (deprecated IPv4-compatible IPv6): ipaddr.js calls it unicast, but it names an IPv4 address. */
const ipv4Compatible = ipaddr.parseCIDR('::/96');

const DESCRIPTIONS: Record<string, string> = {
  unspecified: 'the unspecified address (it reaches this host)',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'link-local (cloud metadata services live in 169.254.0.0/16)',
  loopback: 'a loopback address',
  private: 'a private (RFC 1918) address',
  uniqueLocal: 'a unique-local (private IPv6) address',
  carrierGradeNat: 'a carrier-grade NAT (shared) address',
  reserved: 'a reserved address',
  benchmarking: 'a benchmarking address',
  amt: 'an AMT relay address',
  as112: 'an AS112 address',
  as112v6: 'an AS112 address',
  rfc6145: 'an IPv4-translated IPv6 address (it embeds an IPv4 address)',
  rfc6052: 'a NAT64 address (it embeds an IPv4 address)',
  '6to4': 'a 6to4 address (it embeds an IPv4 address)',
  teredo: 'a Teredo address (it embeds an IPv4 address)',
  orchid2: 'an ORCHIDv2 address',
  droneRemoteIdProtocolEntityTags: 'a drone remote ID address',
  deprecatedSiteLocal: 'a deprecated site-local address',
  deprecatedOrchid: 'a deprecated ORCHID address',
  discard: 'a discard-only address',
  segmentRouting: 'a segment routing address',
};

/** Ranges refused even for admin-registered instances (the rest of the special ranges stay allowed there). */
const REFUSED_FOR_INSTANCES = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal', 'rfc6145', 'rfc6052', '6to4', 'teredo']);

/** An address literal as a URL host or a resolver gives it: brackets and IPv4-mapped IPv6 removed. */
export function parseAddress(literal: string): Address | undefined {
  const bare = literal.startsWith('[') && literal.endsWith(']') ? literal.slice(1, -1) : literal;
  // net.isIP accepts only canonical forms; the WHATWG URL parser has already turned 2852039166,
  // 0xA9FEA9FE, 0251.0376.0251.0376 and 127.1 into dotted quads before a host reaches us.
  if (!isIP(bare)) return undefined;
  try {
    return ipaddr.process(bare);
  } catch {
    return undefined;
  }
}

/** Why `address` may not be reached under `policy`, or undefined when it may. Allowlist not applied. */
export function refusalFor(address: Address, policy: EgressPolicy): string | undefined {
  const shown = address.toString();
  for (const m of metadataRanges) {
    if (address.kind() === m.range[0].kind() && address.match(m.range)) return `${shown} is ${m.what}`;
  }
  const range = address.range();
  if (range === 'unicast') {
    if (address.kind() === 'ipv6' && address.match(ipv4Compatible)) {
      return `${shown} is an IPv4-compatible IPv6 address (it embeds an IPv4 address)`;
    }
    return undefined;
  }
  if (policy === 'instance' && !REFUSED_FOR_INSTANCES.has(range)) return undefined;
  const what = DESCRIPTIONS[range] ?? `in the special range "${range}"`;
  return policy === 'instance'
    ? `${shown} is ${what}, not allowed for service instances`
    : `${shown} is ${what}; only public addresses may be fetched`;
}

/** The operator allowlist: host names (exact, or `*.suffix`) and CIDRs. */
export class EgressAllowlist {
  private readonly hosts = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly ranges: Array<[Address, number]> = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      if (/^[0-9a-f:.]+\/\d+$/.test(entry)) {
        if (!ipaddr.isValidCIDR(entry)) throw new Error(`EGRESS_ALLOW: "${raw}" is not a valid CIDR`);
        this.ranges.push(ipaddr.parseCIDR(entry));
        continue;
      }
      const address = parseAddress(entry);
      if (address) {
        this.ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      } else if (entry.startsWith('*.') && isHostName(entry.slice(2))) {
        this.suffixes.push(normalizeHost(entry.slice(1)));
      } else if (isHostName(entry)) {
        this.hosts.add(normalizeHost(entry));
      } else {
        throw new Error(`EGRESS_ALLOW: "${raw}" is neither a host name nor an address or CIDR`);
      }
    }
  }

  allowsHost(hostname: string): boolean {
    const host = normalizeHost(hostname);
    return this.hosts.has(host) || this.suffixes.some((s) => host.endsWith(s));
  }

  allowsAddress(address: Address): boolean {
    return this.ranges.some((r) => address.kind() === r[0].kind() && address.match(r));
  }
}

/** Lower case, no trailing dot: `Example.COM.` and `example.com` are one host. */
export function normalizeHost(hostname: string): string {
  return hostname.toLowerCase().replace(/\.+$/, '');
}

function isHostName(value: string): boolean {
  return /^(?=.{1,253}\.?$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/.test(value);
}
