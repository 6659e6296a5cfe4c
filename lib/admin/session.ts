import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { config } from "../base/config";
import { cookieOptions } from "../http/cookie-options";
import { hasValidSignature, signature, SIGNATURE } from "../base/signed-value";

export const ADMIN_COOKIE = "holdcart_admin";
/** An operator signs in again after a working day. */
export const ADMIN_SESSION_SECONDS = 8 * 3600;
const PURPOSE = "admin-session";

/**
 * What the signature covers: the expiry and a digest of ADMIN_TOKEN, so rotating the token ends
 * every session signed under the old one (the cookie itself carries no secret).
 */
const signed = (expiresAtS: number, nonce: string) =>
  `${expiresAtS}.${nonce}.${createHash("sha256").update(config().adminToken).digest("base64url")}`;

/** Cookie value `<expiresAtS>.<nonce>.<HMAC>` for a session that ends at `nowMs` + ADMIN_SESSION_SECONDS. */
export function newAdminSession(nowMs = Date.now()): { value: string; expiresAtMs: number } {
  const expiresAtS = Math.floor(nowMs / 1000) + ADMIN_SESSION_SECONDS;
  const nonce = randomBytes(12).toString("base64url");
  return {
    value: `${expiresAtS}.${nonce}.${signature(signed(expiresAtS, nonce), PURPOSE)}`,
    expiresAtMs: expiresAtS * 1000,
  };
}

const VALUE = /^(\d{10})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]+)$/;

/** When a genuine, unexpired session ends (ms); null for anything missing, forged, expired or malformed. */
export function verifyAdminSession(value: string | undefined | null, nowMs = Date.now()): number | null {
  const match = value ? VALUE.exec(value) : null;
  if (!match) return null;
  const [, exp, nonce, mac] = match as unknown as [string, string, string, string];
  const expiresAtMs = Number(exp) * 1000;
  if (!SIGNATURE.test(mac) || expiresAtMs <= nowMs) return null;
  return hasValidSignature(signed(Number(exp), nonce), mac, PURPOSE) ? expiresAtMs : null;
}

/** httpOnly, SameSite=Strict: no other site can make an operator's browser use it. */
export const adminCookieOptions = (maxAgeSeconds: number) => cookieOptions(maxAgeSeconds, "strict");

/** The admin cookie's value in a raw `Cookie` header (route handlers get headers, not a cookie jar). */
export function adminCookieOf(headers: Headers): string | null {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === ADMIN_COOKIE) return part.slice(eq + 1).trim();
  }
  return null;
}
