import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { db } from "@/lib/db/client";
import { inventory, products } from "@/lib/db/schema";
import { variantName } from "@/lib/db/tables/catalog";
import { describeViolations, LEDGER_VIOLATIONS_SQL } from "../../scripts/harness/ledger-violations";

/** A product of the test's own with `stock` units on hand; returns its id. */
export async function createProduct(stock: number, priceCents = 1_000): Promise<number> {
  const slug = `test-${randomBytes(4).toString("hex")}`;
  const [row] = await db()
    .insert(products)
    .values({ slug, name: `Test ${slug}`, priceCents, imageUrl: "/products/canvas-tote-bag.svg" })
    .returning({ id: products.id });
  if (!row) throw new Error("product insert failed");
  await db().insert(inventory).values({ productId: row.id, onHand: stock, available: stock });
  return row.id;
}

export async function countersOf(productId: number) {
  const [row] = await db().select().from(inventory).where(eq(inventory.productId, productId));
  if (!row) throw new Error(`no inventory for ${productId}`);
  return { onHand: row.onHand, available: row.available, reserved: row.reserved, sold: row.sold };
}

/**
 * Every way the stock ledger could be wrong, as readable lines (empty = sound): conservation
 * (invariant 1), reserved = active reservation rows (invariant 2), no reservation left on an
 * ended cart.
 */
export async function ledgerViolations(): Promise<string[]> {
  const rows = await db().execute<{ product_id: number; problem: string }>(sql.raw(LEDGER_VIOLATIONS_SQL));
  return describeViolations(rows);
}

/** Moves a cart's deadline into the past, as if its time ran out while nobody looked. */
export async function backdateCart(cartId: string, msAgo = 1_000): Promise<void> {
  await db().execute(
    sql`update carts set expires_at = now() - make_interval(secs => ${msAgo / 1000}) where id = ${cartId}`,
  );
}

/** Whether every one of these carts' deadlines has passed, by the database's clock. */
export async function deadlinesPassed(cartIds: string[]): Promise<boolean> {
  if (cartIds.length === 0) return true;
  const [row] = await db().execute<{ due: boolean }>(
    sql`select bool_and(expires_at <= now()) as due from carts where id in ${cartIds}`,
  );
  return row?.due === true;
}

/** How many carts are still active (holding, or able to hold): all of them, or among `cartIds`. */
export async function activeCarts(cartIds?: string[]): Promise<number> {
  if (cartIds?.length === 0) return 0;
  const among = cartIds ? sql`and id in ${cartIds}` : sql``;
  const [row] = await db().execute<{ n: number }>(
    sql`select count(*)::int as n from carts where state = 'active' ${among}`,
  );
  return row?.n ?? 0;
}

/**
 * A product of the test's own offered in variants (lib/db/tables/catalog.ts): a row without stock,
 * and one row per option with `stock` units on hand. Returns the product's id and its variants' ids.
 */
export async function createProductInVariants(
  variants: Record<string, number>,
  priceCents = 1_000,
): Promise<{ productId: number; variantIds: Record<string, number> }> {
  const slug = `test-${randomBytes(4).toString("hex")}`;
  const base = { name: `Test ${slug}`, priceCents, imageUrl: "/products/canvas-tote-bag.svg" };
  const [product] = await db()
    .insert(products)
    .values({ slug, ...base })
    .returning({ id: products.id });
  if (!product) throw new Error("product insert failed");
  const variantIds: Record<string, number> = {};
  for (const [option, stock] of Object.entries(variants)) {
    const optionSlug = option.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const [row] = await db()
      .insert(products)
      .values({
        slug: `${slug}--${optionSlug}`,
        ...base,
        name: variantName(base.name, option),
        parentId: product.id,
        option,
      })
      .returning({ id: products.id });
    if (!row) throw new Error("variant insert failed");
    await db().insert(inventory).values({ productId: row.id, onHand: stock, available: stock });
    variantIds[option] = row.id;
  }
  return { productId: product.id, variantIds };
}
