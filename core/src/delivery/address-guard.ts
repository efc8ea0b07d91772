import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where deliveries (export webhooks, S3 pushes, alert webhooks) may connect. A delivery URL is typed by a person, so
 * without this rule it is a way to make the server probe its own network: loopback, the cloud metadata service
 * (169.254.169.254), private ranges. The rule runs twice: when a URL is saved (`checkDeliveryUrl`) and when a
 * connection is opened, after DNS resolution (`guardedLookup`), so a public-looking name that resolves to a private
 * address is refused too. `DELIVERY_ALLOW_PRIVATE_NETWORKS=true` (config.ts) turns it off for on-premises receivers.
 */

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network", 0.0.0.0 reaches the local host
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some stacks)
  ['ff00::', 8], // multicast
  ['2001:db8::', 32], // documentation
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

/** An IPv4 address carried inside an IPv6 one (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16). */
function embeddedIpv4(ip: string): string | null {
  const lower = ip.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4}):/.exec(lower);
  const m = hex ?? sixToFour;
  if (!m?.[1] || !m[2]) return null;
  const a = Number.parseInt(m[1], 16);
  const b = Number.parseInt(m[2], 16);
  return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
}

/** True for loopback, link-local, private, reserved and unspecified addresses (IPv4, IPv6 and IPv4 inside IPv6). */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4) return blocked.check(v4, 'ipv4');
    return blocked.check(bare, 'ipv6');
  }
  return false;
}

const LOCAL_NAMES = /(^|\.)(localhost|localdomain|local|internal|home\.arpa)\.?$/i;

export interface DeliveryTargetPolicy {
  /** DELIVERY_ALLOW_PRIVATE_NETWORKS: deliveries may reach private and loopback addresses. */
  allowPrivateNetworks: boolean;
}

/** The same words at save time and at connect time; they never say whether a port is open. */
export const PRIVATE_TARGET_MESSAGE =
  'deliveries may not go to loopback, link-local, private or reserved addresses (set DELIVERY_ALLOW_PRIVATE_NETWORKS=true to allow them)';

/**
 * The save-time check of a delivery URL: http(s) only, no credentials in the URL, and (unless private networks are
 * allowed) no address literal or local-only name in a blocked range. Returns the problem, or null when it is fine.
 * Names are resolved only when connecting (DNS answers change), where `guardedLookup` checks them again.
 */
export function checkDeliveryUrl(raw: string, policy: DeliveryTargetPolicy): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be an http(s) URL';
  if (u.username || u.password) return 'must not carry a user name or password (put secrets in a header or query)';
  if (policy.allowPrivateNetworks) return null;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return isPrivateAddress(host) ? PRIVATE_TARGET_MESSAGE : null;
  if (host === '' || LOCAL_NAMES.test(host)) return PRIVATE_TARGET_MESSAGE;
  // Numeric shorthands that URL does not normalise on every platform (e.g. "0", "2130706433") are not hostnames.
  if (/^[\d.]+$/.test(host) || /^0x[0-9a-f.x]+$/i.test(host)) return PRIVATE_TARGET_MESSAGE;
  return null;
}

/** The error a refused connection fails with (code EDELIVERYBLOCKED), so callers can tell it from network errors. */
export class BlockedTargetError extends Error {
  override name = 'BlockedTargetError';
  readonly code = 'EDELIVERYBLOCKED';
  constructor() {
    super(PRIVATE_TARGET_MESSAGE);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s) agents and sockets: resolves the name, then refuses the connection when any address it
 * resolved to is private, so DNS rebinding between the check and the connect cannot slip through (the socket
 * connects to exactly the addresses checked here).
 */
export function guardedLookup(policy: DeliveryTargetPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as LookupAddress[];
      if (!policy.allowPrivateNetworks && list.some((a) => isPrivateAddress(a.address)))
        return callback(new BlockedTargetError() as NodeJS.ErrnoException, '');
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
}
