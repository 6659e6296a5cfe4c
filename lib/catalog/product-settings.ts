import "server-only";
import { eq } from "drizzle-orm";
import { db } from "../db/client";
import { products } from "../db/schema";
import { publishStockChanges } from "../inventory/stock-events";
import { ShopError } from "../shop-error";
import { findProductById, type ProductView } from "./products";

/**
 * Sets a product's per-shopper limit (invariant 9; null: MAX_QTY_PER_LINE). Holds and places in
 * line already granted stay; the limit decides every add and join from now on. Every web process
 * hears of it as of any catalog change, so shared page renders end at once (lib/pages/).
 */
export async function setPerShopperLimit(productId: number, limit: number | null): Promise<ProductView> {
  await db().update(products).set({ perShopperLimit: limit }).where(eq(products.id, productId));
  // Read once after the change: the limit in effect, and the stock the message carries.
  const product = await findProductById(productId);
  if (!product) throw new ShopError("not_found", "No such product.");
  await publishStockChanges([{ productId, available: product.available }]);
  return product;
}
