import "server-only";
import { productSummaries } from "../catalog/products";
import type { CartLine } from "./snapshot";

export type CartItem = {
  productId: number;
  slug: string;
  name: string;
  imageUrl: string;
  quantity: number;
  unitPriceCents: number;
};

/** The cart as the API and the pages show it. */
export type CartView = {
  items: CartItem[];
  subtotalCents: number;
  /** ISO time the hold ends (database clock), null when there is no cart. */
  expiresAt: string | null;
  /** Milliseconds left, from the Redis key's PTTL; null when there is no cart. */
  ttlMs: number | null;
};

export const EMPTY_CART: CartView = { items: [], subtotalCents: 0, expiresAt: null, ttlMs: null };

export async function toCartView(lines: readonly CartLine[], expiresAtMs: number, ttlMs: number): Promise<CartView> {
  const summaries = await productSummaries(lines.map((l) => l.productId));
  const items: CartItem[] = [];
  for (const line of lines) {
    const product = summaries.get(line.productId);
    if (!product) continue; // a product deleted from the catalog; its hold still ends with the cart
    items.push({
      productId: product.id,
      slug: product.slug,
      name: product.name,
      imageUrl: product.imageUrl,
      quantity: line.quantity,
      unitPriceCents: product.priceCents,
    });
  }
  return {
    items,
    subtotalCents: items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0),
    expiresAt: new Date(expiresAtMs).toISOString(),
    ttlMs,
  };
}
