/**
 * The CSRF rule for every state change, route handler or server action: a browser says where a
 * request comes from (Sec-Fetch-Site, Origin); anything not same-origin is cross-site. Clients
 * that send neither (curl, servers) cannot ride a shopper's cookie, so they are not. The host is
 * the request's own; X-Forwarded-Host only as the production web server leaves it (set by the
 * operator's proxies when TRUSTED_PROXY_HOPS > 0, removed otherwise), its last entry being the
 * nearest proxy's.
 */
export function isCrossSite(headers: Pick<Headers, "get">): boolean {
  const site = headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return true;
  const origin = headers.get("origin");
  if (origin === null) return false;
  const host = headers.get("x-forwarded-host")?.split(",").at(-1)?.trim() || headers.get("host");
  return !host || hostOf(origin) !== host;
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null; // "null" (a sandboxed or privacy-sensitive context) or garbage: no host
  }
}
