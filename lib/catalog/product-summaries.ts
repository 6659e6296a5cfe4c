import "server-only";
import { inArray } from "drizzle-orm";
import { db } from "../db/client";
import { products } from "../db/schema";
import type { ProductView } from "./products";

export type ProductSummary = Pick<ProductView, "id" | "slug" | "name" | "priceCents" | "imageUrl">;

// Names and prices change rarely; the cart read path looks them up here instead of in Postgres.
const SUMMARY_TTL_MS = 5_000;
const summaries = new Map<number, { summary: ProductSummary; loadedAt: number }>();

/** Name, slug, price and image of each product id (unknown ids are absent from the map). */
export async function productSummaries(ids: readonly number[]): Promise<Map<number, ProductSummary>> {
  const now = Date.now();
  const stale = ids.filter((id) => {
    const hit = summaries.get(id);
    return !hit || now - hit.loadedAt > SUMMARY_TTL_MS;
  });
  if (stale.length > 0) {
    const rows = await db()
      .select({
        id: products.id,
        slug: products.slug,
        name: products.name,
        priceCents: products.priceCents,
        imageUrl: products.imageUrl,
      })
      .from(products)
      .where(inArray(products.id, stale));
    for (const row of rows) summaries.set(row.id, { summary: row, loadedAt: now });
  }
  const found = new Map<number, ProductSummary>();
  for (const id of ids) {
    const hit = summaries.get(id);
    if (hit) found.set(id, hit.summary);
  }
  return found;
}
