import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** Resolves a hostname to every address it has, like `dns.promises.lookup(host, { all: true })`. */
export type LookupAll = (hostname: string) => Promise<readonly { address: string }[]>;

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** The `code` of the error `guardedLookup` fails a connection with. */
export const ADDRESS_FORBIDDEN_CODE = 'ERR_WEBHOOK_ADDRESS_FORBIDDEN';

// ipaddr.js files these under 'unicast', yet a socket may still reach the host itself through
// them: IPv4-compatible ::a.b.c.d (deprecated, but some stacks still route it to IPv4) and the
// local-use NAT64 prefix of RFC 8215, which embeds an arbitrary IPv4 address like 64:ff9b::/96.
const UNICAST_EXCEPTIONS = [
  ipaddr.IPv6.parseCIDR('::/96'),
  ipaddr.IPv6.parseCIDR('64:ff9b:1::/48'),
];

/** True when an IP address (v4 or v6 string, any form ipaddr.js parses) must never be connected to. */
export function isForbiddenAddress(address: string): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns ::ffff:a.b.c.d into a.b.c.d, so a mapped address is judged by the IPv4
    // address the kernel would actually connect to.
    parsed = ipaddr.process(stripBrackets(address));
  } catch {
    // Whatever cannot be classified cannot be shown to be safe.
    return true;
  }
  if (parsed.range() !== 'unicast') return true;
  return parsed.kind() === 'ipv6' && UNICAST_EXCEPTIONS.some((range) => parsed.match(range));
}

/**
 * Checked at subscription creation: http/https only, no credentials in the URL, and a host that
 * resolves, to no forbidden address unless `allowPrivateNetworks`. The dispatcher checks again at
 * connect time (`guardedLookup`), since what a name resolves to may change after this check.
 */
export async function checkWebhookUrl(
  raw: string,
  options: { allowPrivateNetworks: boolean; lookup?: LookupAll },
): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'URL is not a valid absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: 'URL must use http or https' };
  }
  // Credentials would be sent to the receiver in every delivery and shown in every listing.
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'URL must not contain a user name or password' };
  }
  const host = stripBrackets(url.hostname);
  if (host === '') return { ok: false, reason: 'URL must have a host' };

  let addresses: string[];
  if (net.isIP(host) !== 0) {
    addresses = [host];
  } else {
    const lookup = options.lookup ?? defaultLookupAll;
    try {
      addresses = (await lookup(host)).map((entry) => entry.address);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) return { ok: false, reason: `Host ${host} could not be resolved` };
  }
  // Every address counts, not just the first: the connection may go to any of them.
  if (!options.allowPrivateNetworks && addresses.some(isForbiddenAddress)) {
    return {
      ok: false,
      reason: `Host ${host} resolves to a loopback, private, link-local or reserved address`,
    };
  }
  return { ok: true, url };
}

/**
 * A `lookup` for net.connect / http.request / http.Agent that refuses, with an error whose code is
 * `ERR_WEBHOOK_ADDRESS_FORBIDDEN`, when an address about to be connected to is forbidden. Checking
 * the addresses the socket really uses is what defeats DNS rebinding (a name that resolved to a
 * public address at subscription time and to 127.0.0.1 now). Node does not call `lookup` for IP
 * literals, so callers must check those with `isForbiddenAddress` themselves. `resolve` is
 * injectable for tests.
 */
export function guardedLookup(
  allowPrivateNetworks: boolean,
  resolve: net.LookupFunction = dns.lookup,
): net.LookupFunction {
  if (allowPrivateNetworks) return resolve;
  return (hostname, options, callback) => {
    resolve(hostname, options, (err, address, family) => {
      if (err) {
        callback(err, address, family);
        return;
      }
      // With autoSelectFamily (Node's default) net asks for all addresses and may try any of them.
      const candidates = typeof address === 'string' ? [address] : address.map((a) => a.address);
      const forbidden = candidates.find(isForbiddenAddress);
      if (forbidden !== undefined) {
        const error: NodeJS.ErrnoException = new Error(
          `Refusing to connect to ${hostname} (${forbidden}): forbidden network address`,
        );
        error.code = ADDRESS_FORBIDDEN_CODE;
        callback(error, address, family);
        return;
      }
      callback(null, address, family);
    });
  };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

const defaultLookupAll: LookupAll = (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });
