import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { config } from "../base/config";
import { clientIp } from "../http/request";
import { ShopError } from "../base/shop-error";
import { assertAdminTriesLeft, recordAdminFailure } from "./auth-failures";
import { adminCookieOf, verifyAdminSession } from "./session";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** True when `given` is ADMIN_TOKEN (compared in constant time). */
export function isAdminToken(given: string): boolean {
  return given.length > 0 && timingSafeEqual(digest(given), digest(config().adminToken));
}

/**
 * When the caller's admin access ends (ms since epoch; Infinity for the bearer token), or null.
 * Two ways in: `Authorization: Bearer $ADMIN_TOKEN` for scripts (the scheme name is
 * case-insensitive and may be followed by more than one space, RFC 9110 section 11.1), and the
 * signed admin session cookie of the /admin page.
 */
export function adminAccessUntil(headers: Headers): number | null {
  const bearer = /^bearer +(.+)$/i.exec(headers.get("authorization") ?? "")?.[1];
  if (bearer !== undefined) return isAdminToken(bearer) ? Infinity : null;
  return verifyAdminSession(adminCookieOf(headers));
}

/**
 * Requires the admin bearer token or an admin session; 401 otherwise. Wrong credentials count
 * against the client (lib/admin/auth-failures.ts): past its tries, 429 whatever it sends.
 */
export async function assertAdmin(headers: Headers): Promise<number> {
  const client = clientIp(headers);
  await assertAdminTriesLeft(client);
  const until = adminAccessUntil(headers);
  if (until !== null) return until;
  const presented = headers.has("authorization") ? "bearer" : adminCookieOf(headers) ? "session" : null;
  if (presented) await recordAdminFailure(client, presented);
  throw new ShopError("unauthorized", "A valid admin token or admin session is required.");
}
