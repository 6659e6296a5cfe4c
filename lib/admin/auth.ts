import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { config } from "../config";
import { ShopError } from "../errors";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Requires `Authorization: Bearer $ADMIN_TOKEN` (compared in constant time). The scheme name is
 * case-insensitive and may be followed by more than one space (RFC 9110 section 11.1).
 */
export function assertAdmin(headers: Headers): void {
  const given = /^bearer +(.+)$/i.exec(headers.get("authorization") ?? "")?.[1];
  if (!given || !timingSafeEqual(digest(given), digest(config().adminToken))) {
    throw new ShopError("unauthorized", "A valid admin token is required.");
  }
}
