/** Every refusal the domain can give, as a value with a stable code (mapped to HTTP in lib/http). */
export type ShopErrorCode =
  | "invalid_request"
  | "invalid_quantity"
  | "unknown_product"
  | "variant_required"
  | "insufficient_stock"
  | "cart_not_found"
  | "cart_expired"
  | "cart_empty"
  | "cart_changed"
  | "cart_limit"
  | "rate_limited"
  | "hold_limit"
  | "extension_refused"
  | "in_stock"
  | "already_waiting"
  | "already_holding"
  | "not_released"
  | "product_archived"
  | "slug_taken"
  | "option_taken"
  | "not_in_variants"
  | "not_found"
  | "forbidden"
  | "unauthorized"
  | "method_not_allowed"
  | "payload_too_large"
  | "length_required"
  | "unsupported_media_type"
  | "service_unavailable"
  | "internal_error";

export class ShopError extends Error {
  constructor(
    readonly code: ShopErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ShopError";
  }
}

/**
 * A drop that has not opened (invariant 11): nobody may hold it before its release time and the
 * draw's offers that follow it. `releaseAt` lets a page count down to it in the shopper's own zone.
 */
export const notReleased = (releaseAt: Date) => {
  const at = releaseAt.toISOString();
  const past = releaseAt.getTime() <= Date.now();
  return new ShopError(
    "not_released",
    past
      ? "This drop is opening now: the draw's results come first. Try again in a moment."
      : `This drop opens at ${at.slice(11, 16)} UTC on ${at.slice(0, 10)}: enter the draw to take part.`,
    { releaseAt: at },
  );
};

/** A product the operator took off sale: nothing more of it may be held or waited for. */
export const productArchived = () =>
  new ShopError("product_archived", "This item is no longer sold: it cannot be added or waited for.");

/**
 * Not enough units to hold. Units in other shoppers' carts are not sold: they come back when
 * those holds end, and the shopper is told so rather than "sold out". `mine`: units of it already
 * in the asking shopper's own cart (part of `reserved`), which are not "other shoppers'".
 */
export const insufficientStock = (available: number, reserved = 0, mine = 0) => {
  const others = Math.max(0, reserved - mine);
  return new ShopError(
    "insufficient_stock",
    available > 0
      ? `Only ${available} left.`
      : others > 0
        ? mine > 0
          ? "The rest are in other shoppers' carts right now. They come back if a hold ends."
          : "All of them are in other shoppers' carts right now. They come back if a hold ends."
        : mine > 0
          ? "You have the last ones: all of them are in your cart."
          : "Sorry, this item is sold out.",
    { available, reserved },
  );
};
