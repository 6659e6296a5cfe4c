import "server-only";
import { productSummaries } from "../catalog/product-summaries";
import { config } from "../base/config";
import type { CartItem, CartView } from "../hold/cart-types";
import type { Hold } from "../hold/cart-types";

/** The cart as the API and the pages show it, from a live hold. */
export async function toCartView({ lines, expiresAtMs, ttlMs, extensionsUsed }: Hold): Promise<CartView> {
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
    extensionsLeft: Math.max(0, config().maxHoldExtensions - extensionsUsed),
  };
}
