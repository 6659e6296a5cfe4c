import "server-only";
import { and, asc, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { cache } from "react";
import { waitingFor } from "../hold/waiting-count";
import { db } from "../db/client";
import { carts, inventory, products, reservations } from "../db/schema";
import type { StockChange } from "../hold/stock-change";
import { config } from "../base/config";

export type ProductView = {
  id: number;
  /** For a variant, the product it is a variant of; null for a product. */
  parentId: number | null;
  /** For a variant, its choice ("EU 42"); null for a product. */
  option: string | null;
  slug: string;
  name: string;
  description: string;
  priceCents: number;
  imageUrl: string;
  available: number;
  /** Units in shoppers' carts: they come back if those holds end. */
  reserved: number;
  /** Shoppers in line for it (invariant 8: units that come back go to them first). */
  waiting: number;
  /** The earliest deadline among the product's active holds (ISO, database clock); null if none. */
  nextReleaseAt: string | null;
  /** `nextReleaseAt` minus the database's `now()` at the read, in ms (a page counts down from it). */
  nextReleaseInMs: number | null;
  /** Units one shopper may hold and wait for, across their carts (invariant 9): the product's own or MAX_QTY_PER_LINE. */
  perShopperLimit: number;
  /**
   * A drop not yet open (invariant 11): when it opens (ISO); nobody may hold it until its draw's
   * offers are made. Null when the product is on sale.
   */
  releaseAt: string | null;
  /** `releaseAt` minus the database's `now()` at the read, in ms (≤ 0: the draw is under way). */
  releaseInMs: number | null;
};

/**
 * The earliest deadline among a product's active holds, once per row (reservations_product_id_idx).
 * Overdue holds not yet released count too: their units are about to come back.
 */
const nextRelease = () =>
  db()
    .select({
      at: sql<string | null>`to_char(min(${carts.expiresAt}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as(
        "next_release_at",
      ),
      inMs: sql<number | null>`floor(extract(epoch from min(${carts.expiresAt}) - now()) * 1000)::int`.as(
        "next_release_in_ms",
      ),
    })
    .from(reservations)
    .innerJoin(carts, eq(carts.id, reservations.cartId))
    .where(and(eq(reservations.productId, inventory.productId), eq(carts.state, "active")))
    .as("next_release");

/** A drop's release time while it has not opened (drizzle/0008_drops.sql), else null. */
const pendingRelease = sql`case when ${products.openedAt} is null then ${products.releaseAt} end`;

/** A product's stock as shoppers see it: the counters, when the first hold ends, and a drop's opening. */
const stockColumns = (release: ReturnType<typeof nextRelease>) => ({
  available: inventory.available,
  reserved: inventory.reserved,
  // Index-only on waitlist_entries_line_idx; zero for a product nobody waits for.
  waiting: waitingFor(inventory.productId),
  nextReleaseAt: release.at,
  nextReleaseInMs: release.inMs,
  releaseAt: sql<string | null>`to_char(${pendingRelease} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  releaseInMs: sql<number | null>`floor(extract(epoch from ${pendingRelease} - now()) * 1000)::float8`.mapWith(
    (v: unknown) => (v === null ? null : Number(v)),
  ),
});

/** The product's per-shopper limit in effect (the ledger's shopper_share, drizzle/0007_per_shopper_limit.sql). */
const shopperShare = () => {
  const max = config().maxQtyPerLine;
  return sql<number>`least(${max}::int, coalesce(${products.perShopperLimit}, ${max}::int))`.mapWith(Number);
};

function selectProducts() {
  const release = nextRelease();
  return db()
    .select({
      id: products.id,
      parentId: products.parentId,
      option: products.option,
      slug: products.slug,
      name: products.name,
      description: products.description,
      priceCents: products.priceCents,
      imageUrl: products.imageUrl,
      ...stockColumns(release),
      perShopperLimit: shopperShare(),
    })
    .from(products)
    .innerJoin(inventory, eq(inventory.productId, products.id))
    .leftJoinLateral(release, sql`true`);
}

/** A variant as the catalog lists it under its product: its choice and its own stock. */
export type VariantView = Pick<
  ProductView,
  | "id"
  | "option"
  | "priceCents"
  | "available"
  | "reserved"
  | "waiting"
  | "nextReleaseAt"
  | "nextReleaseInMs"
  | "releaseAt"
  | "releaseInMs"
  | "perShopperLimit"
>;

/** A product as the catalog lists it: its figures (a product in variants: their sums) and its variants. */
export type CatalogProduct = ProductView & { variants: VariantView[] };

const asVariant = (v: ProductView): VariantView => ({
  id: v.id,
  option: v.option,
  priceCents: v.priceCents,
  available: v.available,
  reserved: v.reserved,
  waiting: v.waiting,
  nextReleaseAt: v.nextReleaseAt,
  nextReleaseInMs: v.nextReleaseInMs,
  releaseAt: v.releaseAt,
  releaseInMs: v.releaseInMs,
  perShopperLimit: v.perShopperLimit,
});

const earliest = <T extends string | number>(values: (T | null)[]): T | null =>
  values.reduce<T | null>((min, v) => (v !== null && (min === null || v < min) ? v : min), null);

/**
 * A product in variants, from its own row (name, slug, picture) and its variants' stock: the
 * product's figures are their sums, its next release and drop the earliest of theirs.
 */
function withVariants(product: ProductView, variants: ProductView[]): CatalogProduct {
  const sum = (f: (v: ProductView) => number) => variants.reduce((total, v) => total + f(v), 0);
  return {
    ...product,
    available: sum((v) => v.available),
    reserved: sum((v) => v.reserved),
    waiting: sum((v) => v.waiting),
    nextReleaseAt: earliest(variants.map((v) => v.nextReleaseAt)),
    nextReleaseInMs: earliest(variants.map((v) => v.nextReleaseInMs)),
    releaseAt: earliest(variants.map((v) => v.releaseAt)),
    releaseInMs: earliest(variants.map((v) => v.releaseInMs)),
    variants: variants.map(asVariant),
  };
}

/** Rows of products in variants (they hold no stock of their own, so selectProducts skips them). */
function selectProductsInVariants(ids: readonly number[]) {
  return db()
    .select({
      id: products.id,
      parentId: products.parentId,
      option: products.option,
      slug: products.slug,
      name: products.name,
      description: products.description,
      priceCents: products.priceCents,
      imageUrl: products.imageUrl,
      perShopperLimit: shopperShare(),
    })
    .from(products)
    .where(inArray(products.id, [...ids]));
}

const NO_STOCK = {
  available: 0,
  reserved: 0,
  waiting: 0,
  nextReleaseAt: null,
  nextReleaseInMs: null,
  releaseAt: null,
  releaseInMs: null,
};

/** Products (sold as one thing, or in variants) from rows of stock, in the order of `units`. */
async function catalogOf(units: ProductView[]): Promise<CatalogProduct[]> {
  const byParent = new Map<number, ProductView[]>();
  for (const unit of units) {
    if (unit.parentId !== null) byParent.set(unit.parentId, [...(byParent.get(unit.parentId) ?? []), unit]);
  }
  const parents =
    byParent.size === 0
      ? new Map()
      : new Map((await selectProductsInVariants([...byParent.keys()])).map((p) => [p.id, p]));
  const listed: CatalogProduct[] = [];
  for (const unit of units) {
    if (unit.parentId === null) listed.push({ ...unit, variants: [asVariant(unit)] });
    else if (byParent.get(unit.parentId)?.[0] === unit) {
      const parent = parents.get(unit.parentId);
      if (parent) listed.push(withVariants({ ...parent, ...NO_STOCK }, byParent.get(unit.parentId)!));
    }
  }
  return listed;
}

/**
 * The catalog with live stock (read on every request: "N left" must not lag behind holds): each
 * product with its variants; a product sold as one thing is its own single variant. Archived
 * products are not listed (archiving stamps a product and each of its variants).
 */
export async function listProducts(): Promise<CatalogProduct[]> {
  return catalogOf(await selectProducts().where(isNull(products.archivedAt)).orderBy(asc(products.id)));
}

/**
 * The stock of `productIds` as the live stream sends it, read in one statement: the stream's first
 * message, and each message after (the ledger's truth at send time, whatever the publisher knew).
 */
export async function stockOf(productIds: readonly number[]): Promise<StockChange[]> {
  if (productIds.length === 0) return [];
  const release = nextRelease();
  return db()
    .select({ productId: inventory.productId, variantId: inventory.productId, ...stockColumns(release) })
    .from(inventory)
    .innerJoin(products, eq(products.id, inventory.productId))
    .leftJoinLateral(release, sql`true`)
    .where(inArray(inventory.productId, [...productIds]));
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,199}$/;

/** A product's rows of stock: itself, or its variants (in id order). */
const unitsOf = (product: SQL) =>
  selectProducts()
    .where(or(eq(products.id, product), eq(products.parentId, product)))
    .orderBy(asc(products.id));

/** The product with `id` (not a variant's id), as the catalog lists it; null when unknown. */
async function productWithId(id: SQL): Promise<CatalogProduct | null> {
  const [product] = await catalogOf(await unitsOf(id));
  return product ?? null;
}

/** One product by slug; memoised per request, so the page and its metadata share one query. */
export const findProductBySlug = cache(async (slug: string): Promise<CatalogProduct | null> => {
  // Slugs are kebab-case; anything else (a NUL byte, say, which Postgres refuses) is simply unknown.
  if (!SLUG.test(slug)) return null;
  return productWithId(
    sql`(select id from ${products} where ${products.slug} = ${slug} and ${products.parentId} is null)`,
  );
});

/** One product by id, as the catalog shows it. */
export async function findProductById(id: number): Promise<CatalogProduct | null> {
  return productWithId(sql`(select id from ${products} where ${products.id} = ${id} and ${products.parentId} is null)`);
}

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
