import "server-only";

/**
 * Shoppers waiting in line, over all products (`holdcart_waiting_shoppers`), and per product (the
 * dashboard's "waiting" column). Null until the waiting line exists (issue 14): the gauge then
 * reads 0 and the column shows "—". Plug in: `select count(*) from waitlist_entries where <waiting>`
 * here, and the per-product count in lib/admin/dashboard.ts (`waiting`).
 */
export async function waitingShoppers(): Promise<number | null> {
  return null;
}
