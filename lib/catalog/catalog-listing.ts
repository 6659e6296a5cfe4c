import "server-only";
import { asc, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { cache } from "react";
import { db } from "../db/client";
import { products } from "../db/schema";
import { selectProducts, shownColumns, type ProductView } from "./products";

/*
 * The catalog as shoppers see it: products, each with its variants, from the rows of stock
 * (./products.ts reads those). A product sold as one thing is its own single variant; a product
 * in variants is its own row (name, slug, picture) over its variants' stock.
 */

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
    .select(shownColumns())
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

/** A variant as the API answers it: the page's countdown fields (`…InMs`) left out. */
export type AnsweredVariant = Omit<VariantView, "nextReleaseInMs" | "releaseInMs">;

/**
 * A product as the API answers it (GET /api/products/:slug): the `…InMs` fields only serve a
 * page's countdowns (clients read `nextReleaseAt` and `releaseAt`), and `parentId` and `option`
 * are a variant's, which a product never is.
 */
export function answeredProduct(product: CatalogProduct) {
  const { nextReleaseInMs: _ms, releaseInMs: _r, parentId: _p, option: _o, variants, ...shown } = product;
  return {
    ...shown,
    variants: variants.map(({ nextReleaseInMs: _vms, releaseInMs: _vr, ...v }): AnsweredVariant => v),
  };
}
