import { isIPv4, isIPv6 } from "node:net";

/**
 * Who the client is, as far as per-client rules (invariant 9, new-cart and stream limits) go.
 * Decided once per request by the door (lib/http/door/door.ts) from what the client
 * cannot choose, and handed to Next as the only X-Forwarded-For entry.
 */

/** The address of the client: the socket's peer, or the one our own `trustedHops` proxies wrote. */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trustedHops: number): string {
  if (trustedHops === 0) return peer ?? "";
  // Each of our proxies appends the address it was called from; entries further left were sent
  // by the client and can say anything. A chain shorter than our proxies means a request that
  // skipped them: count it as the peer's (one of our proxies), never as what it claims.
  const entries = (forwardedFor ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.length >= trustedHops ? (entries[entries.length - trustedHops] ?? "") : (peer ?? "");
}

/**
 * The key a client is counted under: an IPv4 address as it is, an IPv6 one by its /64 (one
 * subscriber's network: a host can pick any address in it), anything else "unknown". Never
 * longer than an IPv6 address, so keys built from it stay bounded whatever a header said.
 */
export function clientKey(address: string): string {
  const plain = withoutPortOrMapping(address.trim().toLowerCase());
  if (isIPv4(plain)) return plain;
  if (!isIPv6(plain)) return "unknown";
  return `${expandIPv6(plain).slice(0, 4).join(":")}::/64`;
}

/** An address as some proxies write it (`1.2.3.4:5678`, `[2001:db8::1]:443`, `::ffff:1.2.3.4`), bare. */
function withoutPortOrMapping(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return withoutPortOrMapping(bracketed[1] ?? "");
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(address);
  if (v4WithPort) return v4WithPort[1] ?? "";
  return address.startsWith("::ffff:") && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** The eight 16-bit groups of an IPv6 address, without zone, in lower-case hex. */
function expandIPv6(address: string): string[] {
  const bare = address.split("%")[0] ?? "";
  const [head = "", tail] = bare.split("::") as [string, string | undefined];
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  let left = groups(head);
  let right = tail === undefined ? [] : groups(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two groups.
  const last = (right.length > 0 ? right : left).at(-1) ?? "";
  if (isIPv4(last)) {
    const [a = 0, b = 0, c = 0, d = 0] = last.split(".").map(Number);
    const v4 = [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    if (right.length > 0) right = [...right.slice(0, -1), ...v4];
    else left = [...left.slice(0, -1), ...v4];
  }
  const zeros = Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16).toString(16));
}
