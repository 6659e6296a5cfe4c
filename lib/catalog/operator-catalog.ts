import "server-only";
import { pg } from "../db/client";
import { adminProduct, type AdminProduct } from "./catalog-rows";

/**
 * Every product as the operator's page lists it (/admin, "Catalog"): archived ones too, each in
 * the admin API's shape (its variants with their stock), newest first.
 */
export async function listForOperator(): Promise<AdminProduct[]> {
  const rows = await pg()<{ id: number }[]>`
    select id from products where parent_id is null order by id desc`;
  return Promise.all(rows.map((r) => adminProduct(r.id)));
}
