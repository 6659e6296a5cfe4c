import "server-only";
import { randomBytes } from "node:crypto";
import { config } from "../config";
import { hasValidSignature, signature } from "../http/signed-value";

export const CART_COOKIE = "cart";

/** A fresh cart id: 128 random bits, written in uuid form so Postgres stores it as a uuid. */
export function newCartId(): string {
  const hex = randomBytes(16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Cookie value: `<cartId>.<HMAC-SHA256(SESSION_SECRET, cartId)>`. */
export const signCartId = (cartId: string) => `${cartId}.${signature(cartId)}`;

const COOKIE_VALUE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

/** The cart id of a genuine cookie value; null for anything missing, malformed or tampered with. */
export function verifyCartCookie(value: string | undefined | null): string | null {
  const match = value ? COOKIE_VALUE.exec(value) : null;
  if (!match) return null;
  const [, cartId, given] = match as unknown as [string, string, string];
  return hasValidSignature(cartId, given) ? cartId : null;
}

export function cartCookieOptions(maxAgeSeconds: number) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    path: "/",
    secure: config().nodeEnv === "production",
    maxAge: Math.max(0, Math.ceil(maxAgeSeconds)),
  };
}
