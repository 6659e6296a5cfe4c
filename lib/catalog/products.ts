import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
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
export const shopperShare = () => {
  const max = config().maxQtyPerLine;
  return sql<number>`least(${max}::int, coalesce(${products.perShopperLimit}, ${max}::int))`.mapWith(Number);
};

/** What a product row says of itself, stock apart: its words, price, picture and sale limit. */
export const shownColumns = () => ({
  id: products.id,
  parentId: products.parentId,
  option: products.option,
  slug: products.slug,
  name: products.name,
  description: products.description,
  priceCents: products.priceCents,
  imageUrl: products.imageUrl,
  perShopperLimit: shopperShare(),
});

export function selectProducts() {
  const release = nextRelease();
  return db()
    .select({ ...shownColumns(), ...stockColumns(release) })
    .from(products)
    .innerJoin(inventory, eq(inventory.productId, products.id))
    .leftJoinLateral(release, sql`true`);
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
