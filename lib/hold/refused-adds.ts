import "server-only";
import { insufficientStock, notReleased, type ShopError } from "../base/shop-error";
import { soldOut } from "./sold-out";
import { unreleased } from "./unreleased";

/** An add of a product the ledger is known to refuse now, and why (the door counts it by reason). */
export type KnownAddRefusal = { reason: "not_released" | "sold_out"; refusal: ShopError };

/** Whether any product is known so now: until then nothing needs looking at. */
export const anyAddRefusalKnown = (): boolean => unreleased.anyKnown() || soldOut.anyKnown();

/**
 * The ledger's refusal of an add of `productId`, as this process knows it without the database,
 * in the ledger's order: a drop not yet open (lib/hold/unreleased.ts), then sold out with no hold
 * due back before the flag ends, so nothing overdue to free (lib/hold/sold-out.ts). The route and
 * the door (lib/http/door/known-refusals.ts) both answer with it, so both answer the same.
 */
export function addRefusalOf(productId: number): KnownAddRefusal | null {
  const releaseAtMs = unreleased.known(productId);
  if (releaseAtMs !== null) return { reason: "not_released", refusal: notReleased(new Date(releaseAtMs)) };
  const known = soldOut.known(productId);
  return known && { reason: "sold_out", refusal: insufficientStock(0, known.reserved) };
}
