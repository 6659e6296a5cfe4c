import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { config } from "./config";
import { UUID } from "./ids";

/**
 * The one signing helper of every signed cookie: HMAC-SHA256 under SESSION_SECRET, written as
 * 43 base64url characters. `purpose` keeps one kind of cookie from being replayed as another (the
 * cart cookie predates it and signs with none, so cookies already out there stay valid).
 */
export function signature(value: string, purpose = ""): string {
  return createHmac("sha256", config().sessionSecret)
    .update(purpose ? `${purpose}\n${value}` : value)
    .digest("base64url");
}

/** A signature of `value`'s shape, compared in constant time. */
export function hasValidSignature(value: string, given: string, purpose = ""): boolean {
  const expected = Buffer.from(signature(value, purpose));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** base64url of an HMAC-SHA256: what `signature` returns, and nothing else. */
export const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/** A cookie value naming an id: `<id>.<signature>`. */
export const signId = (id: string, purpose = ""): string => `${id}.${signature(id, purpose)}`;

/** The id of a genuine `signId` value; null for anything missing, malformed or tampered with. */
export function verifySignedId(value: string | undefined | null, purpose = ""): string | null {
  const [id = "", given = "", ...rest] = (value ?? "").split(".");
  if (rest.length > 0 || !UUID.test(id) || !SIGNATURE.test(given)) return null;
  return hasValidSignature(id, given, purpose) ? id : null;
}
