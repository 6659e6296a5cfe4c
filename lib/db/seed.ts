import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "./client";
import { inventory, products } from "./schema";
import { seedProducts, type SeedProduct } from "./seed-data";

/**
 * Loads the demo catalog. Idempotent: products already present (by slug) are left as they
 * are, stock included, so seeding never resets what shoppers hold or bought.
 */
export async function seedCatalog(db: Db, catalog: readonly SeedProduct[] = seedProducts): Promise<number> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(products)
      .values(catalog.map(({ stock: _stock, ...p }) => p))
      .onConflictDoNothing({ target: products.slug })
      .returning({ id: products.id, slug: products.slug });
    if (inserted.length === 0) return 0;
    const stockBySlug = new Map(catalog.map((p) => [p.slug, p.stock]));
    await tx
      .insert(inventory)
      .values(
        inserted.map(({ id, slug }) => {
          const stock = stockBySlug.get(slug) ?? 0;
          return { productId: id, onHand: stock, available: stock };
        }),
      )
      .onConflictDoNothing({ target: inventory.productId });
    return inserted.length;
  });
}

export async function catalogIsEmpty(db: Db): Promise<boolean> {
  const [row] = await db.execute<{ empty: boolean }>(sql`select not exists (select 1 from products) as empty`);
  return row?.empty ?? true;
}
