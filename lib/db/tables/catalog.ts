import { sql } from "drizzle-orm";
import { check, integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";

export const products = pgTable(
  "products",
  {
    id: serial("id").primaryKey(),
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
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("products_price_cents_nonnegative", sql`${t.priceCents} >= 0`),
    check("products_per_shopper_limit_positive", sql`${t.perShopperLimit} >= 1`),
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
