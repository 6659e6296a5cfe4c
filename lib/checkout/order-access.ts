import "server-only";
import { hasValidSignature, signature } from "../base/signed-value";
import { UUID } from "../base/ids";

/**
 * Which orders this browser may look at: a signed, httpOnly cookie listing the shopper's recent
 * order ids, written at checkout. Another browser has no such cookie and sees nothing.
 */
export const ORDERS_COOKIE = "orders";
const KEEP = 5;

// Signed as "order:<id>" (the form cookies already out there carry).
const sign = (orderId: string) => signature(`order:${orderId}`);

function verified(value: string | undefined): string[] {
  if (!value) return [];
  return value.split("~").flatMap((entry) => {
    const [id, mac] = entry.split(".");
    if (!id || !mac || !UUID.test(id)) return [];
    return hasValidSignature(`order:${id}`, mac) ? [id] : [];
  });
}

export const mayView = (cookieValue: string | undefined, orderId: string): boolean =>
  verified(cookieValue).includes(orderId);

/** The cookie value after adding `orderId` (most recent first, a handful kept). */
export function withOrder(cookieValue: string | undefined, orderId: string): string {
  const ids = [orderId, ...verified(cookieValue).filter((id) => id !== orderId)].slice(0, KEEP);
  return ids.map((id) => `${id}.${sign(id)}`).join("~");
}
