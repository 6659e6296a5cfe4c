/** Every refusal the domain can give, as a value with a stable code (mapped to HTTP in lib/http). */
export type ShopErrorCode =
  | "invalid_request"
  | "invalid_quantity"
  | "unknown_product"
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
  | "not_found"
  | "forbidden"
  | "unauthorized"
  | "method_not_allowed"
  | "payload_too_large"
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
 * Not enough units to hold. Units in other shoppers' carts are not sold: they come back when
 * those holds end, and the shopper is told so rather than "sold out".
 */
export const insufficientStock = (available: number, reserved = 0) =>
  new ShopError(
    "insufficient_stock",
    available > 0
      ? `Only ${available} left.`
      : reserved > 0
        ? "All of them are in other shoppers' carts right now. They come back if a hold ends."
        : "Sorry, this item is sold out.",
    { available, reserved },
  );
