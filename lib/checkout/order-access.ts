import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { config } from "../config";

/**
 * Which orders this browser may look at: a signed, httpOnly cookie listing the shopper's recent
 * order ids, written at checkout. Another browser has no such cookie and sees nothing.
 */
export const ORDERS_COOKIE = "orders";
const KEEP = 5;

const sign = (orderId: string) =>
  createHmac("sha256", config().sessionSecret).update(`order:${orderId}`).digest("base64url");

function verified(value: string | undefined): string[] {
  if (!value) return [];
  return value.split("~").flatMap((entry) => {
    const [id, mac] = entry.split(".");
    if (!id || !mac || !/^[0-9a-f-]{36}$/.test(id)) return [];
    const expected = Buffer.from(sign(id));
    const actual = Buffer.from(mac);
    return actual.length === expected.length && timingSafeEqual(actual, expected) ? [id] : [];
  });
}

export const mayView = (cookieValue: string | undefined, orderId: string): boolean =>
  verified(cookieValue).includes(orderId);

/** The cookie value after adding `orderId` (most recent first, a handful kept). */
export function withOrder(cookieValue: string | undefined, orderId: string): string {
  const ids = [orderId, ...verified(cookieValue).filter((id) => id !== orderId)].slice(0, KEEP);
  return ids.map((id) => `${id}.${sign(id)}`).join("~");
}
