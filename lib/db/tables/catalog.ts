import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, serial, text, timestamp, unique, type AnyPgColumn } from "drizzle-orm/pg-core";

/**
 * The catalog. A row is a product a shopper sees, and also the unit of stock: a product sold as
 * one thing holds its own inventory row, holds, cart lines and waiting line. A product offered in
 * sizes or colours is a row without stock whose variants are rows of their own, each naming it
 * as `parentId` and its choice as `option` ("EU 42"), each with its own inventory row, holds,
 * lines, per-shopper limit and release: every invariant holds per variant because the ledger
 * only ever sees units of stock.
 */
export const products = pgTable(
  "products",
  {
    id: serial("id").primaryKey(),
    /** The product this row is a variant of; null for a product (sold as one thing or in variants). */
    parentId: integer("parent_id").references((): AnyPgColumn => products.id, { onDelete: "cascade" }),
    /** A variant's choice as the shopper reads it ("EU 42", "Blue / M"); null for a product. */
    option: text("option"),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    priceCents: integer("price_cents").notNull(),
    imageUrl: text("image_url").notNull(),
    /**
     * Units of this product one shopper may hold and wait for, across their carts and line
     * entries (invariant 9); null: `MAX_QTY_PER_LINE`, which also bounds it.
     */
    perShopperLimit: integer("per_shopper_limit"),
    /**
     * A drop (invariant 11): nobody may hold the product before this time. Entries that joined its
     * line before it are drawn into a random order at it, and the units offered to them in that order.
     */
    releaseAt: timestamp("release_at", { withTimezone: true }),
    /** When the draw for `releaseAt` was made (null: not yet). */
    drawnAt: timestamp("drawn_at", { withTimezone: true }),
    /** When the line had been offered what it could after the draw: from then on anyone may add it. */
    openedAt: timestamp("opened_at", { withTimezone: true }),
    /**
     * When the operator took the product off sale (null: on sale). An archived product is not
     * listed and nobody may hold it or join its line (change_lines, join_line and a lone new
     * cart refuse with product_archived); holds already made run out as any hold. Archiving a
     * product in variants stamps it and every variant, so each row of stock knows it alone.
     */
    archivedAt: timestamp("archived_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("products_price_cents_nonnegative", sql`${t.priceCents} >= 0`),
    check("products_per_shopper_limit_positive", sql`${t.perShopperLimit} >= 1`),
    // A variant names its choice; a product has none.
    check("products_variant_option", sql`(${t.parentId} is null) = (${t.option} is null)`),
    unique("products_variant_option_unique").on(t.parentId, t.option),
    index("products_parent_id_idx").on(t.parentId),
  ],
);

/**
 * Stock counters, one row per product. Invariant 1 (conservation) is enforced here by the
 * database itself: every counter stays >= 0 and available + reserved + sold = on_hand.
 */
export const inventory = pgTable(
  "inventory",
  {
    productId: integer("product_id")
      .primaryKey()
      .references(() => products.id, { onDelete: "cascade" }),
    onHand: integer("on_hand").notNull().default(0),
    available: integer("available").notNull().default(0),
    reserved: integer("reserved").notNull().default(0),
    sold: integer("sold").notNull().default(0),
  },
  (t) => [
    check("inventory_on_hand_nonnegative", sql`${t.onHand} >= 0`),
    check("inventory_available_nonnegative", sql`${t.available} >= 0`),
    check("inventory_reserved_nonnegative", sql`${t.reserved} >= 0`),
    check("inventory_sold_nonnegative", sql`${t.sold} >= 0`),
    check("inventory_conserved", sql`${t.available} + ${t.reserved} + ${t.sold} = ${t.onHand}`),
  ],
);

/** active -> checked_out | expired; nothing leaves a final state. */

/**
 * A variant's own name, as a cart line, a hold's notice, an order and the operator read it: the
 * product's and the choice, "Trail Running Shoe — EU 42". Kept in the variant's row, so all that
 * names a row of stock names the variant without knowing of variants.
 */
export const variantName = (productName: string, option: string): string => `${productName} — ${option}`;
