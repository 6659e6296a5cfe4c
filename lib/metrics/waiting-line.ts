import "server-only";
import { pg } from "../db/client";

/** Shoppers waiting in line, over all products (`holdcart_waiting_shoppers`). */
export async function waitingShoppers(): Promise<number | null> {
  const [row] = await pg()<
    { n: number }[]
  >`select count(*)::int as n from waitlist_entries where offer_cart_id is null`;
  return row?.n ?? 0;
}
