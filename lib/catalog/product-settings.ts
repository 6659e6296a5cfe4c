import "server-only";
import { pg } from "../db/client";
import { setReleaseAt } from "./release-schedule";
import { publishStockChanges } from "../hold/stock-events";
import { ShopError } from "../base/shop-error";
import { findProductById } from "./catalog-listing";
import type { ProductView } from "./products";

/** What the operator may change of a product's sale; a key left out stays as it is. */
export type ProductSettings = {
  /** Units one client may hold and wait for (invariant 9); null: MAX_QTY_PER_LINE. */
  perShopperLimit?: number | null;
  /** A drop's release (invariant 11, lib/catalog/release-schedule.ts); null: on sale now. */
  releaseAt?: Date | null;
};

/**
 * Sets the per-shopper limit and drop of the row with `id` and, when it is a product offered in
 * variants, of every one of its variants: the ledger reads both per row of stock. A variant's id
 * sets that variant's alone. False when no such row exists.
 */
export async function applySettings(id: number, settings: ProductSettings): Promise<boolean> {
  const rows = await pg()<{ id: number; stock: boolean }[]>`
    select p.id, exists (select 1 from inventory i where i.product_id = p.id) as stock
      from products p where p.id = ${id} or p.parent_id = ${id} order by p.id`;
  if (!rows.some((r) => r.id === id)) return false;
  if (settings.perShopperLimit !== undefined) {
    await pg()`update products set per_shopper_limit = ${settings.perShopperLimit}
                where id = ${id} or parent_id = ${id}`;
  }
  const { releaseAt } = settings;
  if (releaseAt !== undefined) {
    // One statement per row of stock, each under that row's lock (invariant 12).
    for (const row of rows.filter((r) => r.stock)) await setReleaseAt(row.id, releaseAt);
  }
  return true;
}

/**
 * Changes a product's per-shopper limit and drop (a product in variants: every variant's).
 * Holds and places in line already granted stay; the limit decides every add and join from now
 * on. Every web process hears of it as of any catalog change, so shared page renders end at once
 * (lib/pages/).
 */
export async function updateProductSettings(productId: number, settings: ProductSettings): Promise<ProductView> {
  const known = await applySettings(productId, settings);
  // Read once after the change: the settings in effect, and the stock the message carries.
  const product = known ? await findProductById(productId) : null;
  if (!product) throw new ShopError("not_found", "No such product.");
  await publishStockChanges([
    { productId, available: product.available },
    ...product.variants.filter((v) => v.id !== productId).map((v) => ({ productId: v.id, available: v.available })),
  ]);
  return product;
}
