import "server-only";
import { asc, eq, inArray } from "drizzle-orm";
import { cache } from "react";
import { db } from "../db/client";
import { inventory, products } from "../db/schema";

export type ProductView = {
  id: number;
  slug: string;
  name: string;
  description: string;
  priceCents: number;
  imageUrl: string;
  available: number;
  /** Units in shoppers' carts: they come back if those holds end. */
  reserved: number;
};

const productView = {
  id: products.id,
  slug: products.slug,
  name: products.name,
  description: products.description,
  priceCents: products.priceCents,
  imageUrl: products.imageUrl,
  available: inventory.available,
  reserved: inventory.reserved,
};

/** The catalog with live stock (read on every request: "N left" must not lag behind holds). */
export async function listProducts(): Promise<ProductView[]> {
  return db()
    .select(productView)
    .from(products)
    .innerJoin(inventory, eq(inventory.productId, products.id))
    .orderBy(asc(products.id));
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,199}$/;

/** One product by slug; memoised per request, so the page and its metadata share one query. */
export const findProductBySlug = cache(async (slug: string): Promise<ProductView | null> => {
  // Slugs are kebab-case; anything else (a NUL byte, say, which Postgres refuses) is simply unknown.
  if (!SLUG.test(slug)) return null;
  const [row] = await db()
    .select(productView)
    .from(products)
    .innerJoin(inventory, eq(inventory.productId, products.id))
    .where(eq(products.slug, slug))
    .limit(1);
  return row ?? null;
});

export type ProductSummary = Omit<ProductView, "available" | "reserved" | "description">;

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
