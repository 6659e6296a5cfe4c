import "server-only";
import type { Sql, TransactionSql } from "postgres";
import { pg } from "../db/client";
import { publishStockChanges } from "../hold/stock-events";
import { ShopError } from "../base/shop-error";
import { answeredProduct, findProductById } from "./catalog-listing";

/**
 * What the operator's catalog edits share: a product's row and its rows of stock, variant slugs,
 * the answer's shape, and the stock message that ends shared page renders.
 */

/** Where a product added without a picture points: a neutral drawing in public/products/. */
export const PLACEHOLDER_IMAGE = "/products/placeholder.svg";

/** A product's own row (a top-level one: a variant's id is not a product's). */
export type ProductRow = { id: number; name: string; inVariants: boolean };

/** The product with `id` and whether it is offered in variants (it has no stock of its own); 404 otherwise. */
export async function productRow(id: number, sql: Sql | TransactionSql = pg()): Promise<ProductRow> {
  const [row] = await sql<{ id: number; name: string; own_stock: boolean }[]>`
    select p.id, p.name, exists (select 1 from inventory i where i.product_id = p.id) as own_stock
      from products p where p.id = ${id} and p.parent_id is null`;
  if (!row) throw new ShopError("not_found", "No such product (a variant is edited under its product).");
  return { id: row.id, name: row.name, inVariants: !row.own_stock };
}

/** The ids of a product's rows of stock: itself (sold as one thing) or its variants. */
export async function stockRowsOf(id: number, sql: Sql | TransactionSql = pg()): Promise<number[]> {
  const rows = await sql<{ id: number }[]>`
    select p.id from products p join inventory i on i.product_id = p.id
     where p.id = ${id} or p.parent_id = ${id} order by p.id`;
  return rows.map((r) => r.id);
}

/** "EU 42" → "eu-42": the part of a variant's slug its option gives. */
const optionPart = (option: string): string =>
  option
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "") || "option";

/**
 * Unique slugs for a product's new variants: `${slug}--${option}` (cut to fit the slug rule's
 * 200), then -2, -3… past any slug already taken (another product's, or a variant's own).
 */
export async function variantSlugs(sql: TransactionSql, slug: string, options: readonly string[]): Promise<string[]> {
  const prefix = slug.slice(0, 180);
  const taken = new Set(
    (await sql<{ slug: string }[]>`select slug from products where slug like ${`${prefix}%`}`).map((r) => r.slug),
  );
  return options.map((option) => {
    const base = `${prefix}--${optionPart(option)}`.slice(0, 190);
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base}-${n}`;
    taken.add(candidate);
    return candidate;
  });
}

/** A unique violation of `constraint` (Postgres 23505), as postgres.js raises it. */
export const violates = (error: unknown, constraint: string): boolean =>
  typeof error === "object" &&
  error !== null &&
  (error as { code?: unknown }).code === "23505" &&
  String((error as { constraint_name?: unknown }).constraint_name ?? "").includes(constraint);

export const slugTaken = (slug: string) =>
  new ShopError("slug_taken", `The slug "${slug}" is taken: another product's address is already /products/${slug}.`, {
    slug,
  });

/**
 * A product as the operator's API answers it: the shape GET /api/products/:slug answers, and
 * when it was archived (null: on sale).
 */
export type AdminProduct = ReturnType<typeof answeredProduct> & { archivedAt: string | null };

/** The product with `id` as the operator's API answers it (archived or not); 404 when unknown. */
export async function adminProduct(id: number): Promise<AdminProduct> {
  const [product, [row]] = await Promise.all([
    findProductById(id),
    pg()<{ archived_at: string | null }[]>`
      select to_char(archived_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as archived_at
        from products where id = ${id}`,
  ]);
  if (!product) throw new ShopError("not_found", "No such product.");
  return { ...answeredProduct(product), archivedAt: row?.archived_at ?? null };
}

/**
 * Tells every web process the product changed (a stock message per row of stock and one for the
 * product), so shared page renders of it and of the catalog end at once (lib/pages/).
 */
export async function announceProduct(product: AdminProduct): Promise<void> {
  const rows = product.variants.map((v) => ({ productId: v.id, available: v.available }));
  const own = rows.some((r) => r.productId === product.id)
    ? []
    : [{ productId: product.id, available: product.available }];
  await publishStockChanges([...own, ...rows]);
}
