import { describe, expect, it } from "vitest";
import { clientAddress, clientKey } from "@/lib/http/client-address";

describe("who the client is", () => {
  it("facing shoppers directly (0 hops), is the socket's peer whatever X-Forwarded-For claims", () => {
    expect(clientAddress("198.51.100.7", "10.0.0.1", 0)).toBe("198.51.100.7");
    expect(clientAddress("198.51.100.7", "10.0.0.1, 10.0.0.2", 0)).toBe("198.51.100.7");
    expect(clientAddress("198.51.100.7", undefined, 0)).toBe("198.51.100.7");
  });

  it("behind n proxies, is the n-th entry from the right: the one our first proxy wrote", () => {
    // The client forged "10.0.0.9"; our one proxy appended the address it saw.
    expect(clientAddress("192.0.2.1", "10.0.0.9, 198.51.100.7", 1)).toBe("198.51.100.7");
    // Two proxies: the CDN wrote the client, the load balancer wrote the CDN.
    expect(clientAddress("192.0.2.1", "10.0.0.9, 198.51.100.7, 203.0.113.5", 2)).toBe("198.51.100.7");
  });

  it("counts a request that skipped our proxies as the peer's, not as what it claims", () => {
    expect(clientAddress("192.0.2.1", undefined, 1)).toBe("192.0.2.1");
    expect(clientAddress("192.0.2.1", "198.51.100.7", 2)).toBe("192.0.2.1");
  });

  it("keys IPv4 as it is, IPv6 by its /64, and anything else as unknown", () => {
    expect(clientKey("198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:DB8:1:2:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(clientKey("::FFFF:198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("198.51.100.7:51234")).toBe("198.51.100.7");
    expect(clientKey("[2001:db8:1:2::9]:443")).toBe("2001:db8:1:2::/64");
    expect(clientKey("not an address")).toBe("unknown");
    expect(clientKey("9".repeat(5000))).toBe("unknown");
    expect(clientKey("")).toBe("unknown");
  });
});
