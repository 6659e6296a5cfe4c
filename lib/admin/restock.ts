import "server-only";
import { inventoryRows, type InventoryRow } from "./inventory-report";
import { pg } from "../db/client";
import { ShopError } from "../base/shop-error";
import { variantRequired } from "../catalog/variants";
import { announceHandOff, handOffOf, type Offer } from "../hold/hand-off";
import { MAX_COUNTER } from "../hold/counters";
import { ledgerSettingsJson } from "../hold/ledger-settings";
import { publishStockChanges } from "../hold/stock-events";

/**
 * Goods received: on_hand and available grow together, so conservation holds; when shoppers wait
 * for the product, the new units go to them first, in the same transaction (invariant 8).
 * Answers the product's counters as they are once that committed. `productId` names a row of
 * stock: a product sold as one thing, or one variant of a product offered in variants.
 */
export async function receiveStock(productId: number, add: number): Promise<InventoryRow> {
  // One statement (the SQL function receive_stock): the row is locked and committed in one round trip.
  const [received] = await pg()<{ outcome: { offers: Offer[] } | null }[]>`
    select receive_stock(${productId}::int, ${add}::int, ${ledgerSettingsJson()}::jsonb) as outcome`;
  const handOff = received?.outcome ? await handOffOf(received.outcome.offers) : null;
  const [row] = await inventoryRows(productId);
  // A product in variants holds no stock itself: each variant's id is restocked (variant_required).
  if (!row) throw (await variantRequired(productId)) ?? new ShopError("unknown_product", "No such product.");
  if (!handOff) {
    const room = MAX_COUNTER - row.onHand;
    throw new ShopError("invalid_request", `add: at most ${room} more units fit in this product's stock.`, {
      maxAdd: room,
    });
  }
  await Promise.all([publishStockChanges([{ productId, available: row.available }]), announceHandOff(handOff)]);
  return row;
}
