import "server-only";
import { eq } from "drizzle-orm";
import { db } from "../db/client";
import { products } from "../db/schema";
import { setReleaseAt } from "./release-schedule";
import { publishStockChanges } from "../hold/stock-events";
import { ShopError } from "../base/shop-error";
import { findProductById, type ProductView } from "./products";

/** What the operator may change of a product's sale; a key left out stays as it is. */
export type ProductSettings = {
  /** Units one client may hold and wait for (invariant 9); null: MAX_QTY_PER_LINE. */
  perShopperLimit?: number | null;
  /** A drop's release (invariant 11, lib/catalog/release-schedule.ts); null: on sale now. */
  releaseAt?: Date | null;
};

/**
 * Changes a product's per-shopper limit and drop. Holds and places in line already granted stay;
 * the limit decides every add and join from now on. Every web process hears of it as of any
 * catalog change, so shared page renders end at once (lib/pages/).
 */
export async function updateProductSettings(productId: number, settings: ProductSettings): Promise<ProductView> {
  if (settings.perShopperLimit !== undefined) {
    await db().update(products).set({ perShopperLimit: settings.perShopperLimit }).where(eq(products.id, productId));
  }
  if (settings.releaseAt !== undefined) await setReleaseAt(productId, settings.releaseAt);
  // Read once after the change: the settings in effect, and the stock the message carries.
  const product = await findProductById(productId);
  if (!product) throw new ShopError("not_found", "No such product.");
  await publishStockChanges([{ productId, available: product.available }]);
  return product;
}
