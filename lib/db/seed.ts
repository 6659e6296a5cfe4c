import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "./client";
import { inventory, products } from "./schema";
import { seedProducts, type SeedProduct } from "./seed-data";
import { variantName } from "./tables/catalog";

/**
 * Loads the demo catalog. Idempotent: products already present (by slug) are left as they
 * are, stock included, so seeding never resets what shoppers hold or bought.
 */
export async function seedCatalog(db: Db, catalog: readonly SeedProduct[] = seedProducts): Promise<number> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(products)
      .values(catalog.map(({ stock: _stock, variants: _variants, ...p }) => p))
      .onConflictDoNothing({ target: products.slug })
      .returning({ id: products.id, slug: products.slug });
    if (inserted.length === 0) return 0;
    const bySlug = new Map(catalog.map((p) => [p.slug, p]));
    const stock: { productId: number; stock: number }[] = [];
    for (const { id, slug } of inserted) {
      const product = bySlug.get(slug);
      if (!product?.variants) {
        stock.push({ productId: id, stock: product?.stock ?? 0 });
        continue;
      }
      // Sizes: rows of their own under the product, each with its stock (lib/db/tables/catalog.ts).
      const { stock: _stock, variants, ...shown } = product;
      const rows = await tx
        .insert(products)
        .values(
          variants.map(({ option }) => ({
            ...shown,
            slug: `${slug}--${option.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
            name: variantName(shown.name, option),
            parentId: id,
            option,
          })),
        )
        .returning({ id: products.id });
      rows.forEach((row, i) => stock.push({ productId: row.id, stock: variants[i]?.stock ?? 0 }));
    }
    await tx
      .insert(inventory)
      .values(stock.map(({ productId, stock }) => ({ productId, onHand: stock, available: stock })))
      .onConflictDoNothing({ target: inventory.productId });
    return inserted.length;
  });
}

export async function catalogIsEmpty(db: Db): Promise<boolean> {
  const [row] = await db.execute<{ empty: boolean }>(sql`select not exists (select 1 from products) as empty`);
  return row?.empty ?? true;
}
