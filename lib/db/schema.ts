import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  bigint,
  bigserial,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

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
export const cartState = pgEnum("cart_state", ["active", "checked_out", "expired"]);

export const carts = pgTable(
  "carts",
  {
    id: uuid("id").primaryKey(),
    state: cartState("state").notNull().default("active"),
    // Set from the database clock (now() + CART_TTL_SECONDS); the Redis TTL is derived from it.
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    // Bumped by every mutation; Redis writes carry it so a late write never overwrites a newer one.
    version: integer("version").notNull().default(1),
    // Who started the cart (lib/http/client-address.ts): invariant 9 caps what one client holds
    // across all its carts. At most 45 characters (an IPv6 address), so it never grows a key.
    clientKey: varchar("client_key", { length: 64 }).notNull().default(""),
    // Times the shopper kept the hold for another CART_TTL_SECONDS (at most MAX_HOLD_EXTENSIONS).
    extensionsUsed: integer("extensions_used").notNull().default(0),
    // What the cart held when its hold ended ([{product_id, quantity}]), so the shopper can be
    // told which items went back and hold them again; null while active and after a checkout.
    releasedLines: jsonb("released_lines").$type<{ product_id: number; quantity: number }[]>(),
    // The shopper (their signed `waiter` cookie) whose cart this is, once they joined a waiting
    // line: units handed to them (invariant 8) go into this cart while it is active.
    waiterId: uuid("waiter_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    // Who ended an expired cart's hold (lib/hold/release.ts ReleasePath): the dashboard's
    // per-path history and /api/metrics read it, so every instance counts the same releases.
    releasePath: text("release_path").$type<"event" | "sweep" | "lazy" | "empty" | "compensate" | "operator">(),
  },
  (t) => [
    // The sweeper's query: active carts past their deadline, oldest first.
    index("carts_active_expires_at_idx")
      .on(t.expiresAt)
      .where(sql`${t.state} = 'active'`),
    // Invariant 9: a client's active carts, summed at every hold it takes.
    index("carts_active_client_key_idx")
      .on(t.clientKey)
      .where(sql`${t.state} = 'active'`),
    // The hand-off's question: a waiter's active cart.
    index("carts_active_waiter_id_idx")
      .on(t.waiterId)
      .where(sql`${t.state} = 'active' and ${t.waiterId} is not null`),
    check("carts_ended_iff_final", sql`(${t.state} = 'active') = (${t.endedAt} is null)`),
    check(
      "carts_release_path_known",
      sql`${t.releasePath} is null or ${t.releasePath} in ('event', 'sweep', 'lazy', 'empty', 'compensate', 'operator')`,
    ),
    // The operator's view: holds started and ended per minute over the last hour.
    index("carts_created_at_idx").on(t.createdAt),
    index("carts_ended_at_idx")
      .on(t.endedAt)
      .where(sql`${t.endedAt} is not null`),
  ],
);

/**
 * The waiting lines (invariant 8): one row per shopper waiting for a product, first come first
 * served by (joined_at, id). When units of the product come back, the first waiting rows get them
 * as a hold in their shopper's cart: the row then records that cart (`offer_cart_id`) until the
 * offer is claimed (checkout), declined or runs out, and leaves the line at that moment.
 */
export const waitlistEntries = pgTable(
  "waitlist_entries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    productId: integer("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    waiterId: uuid("waiter_id").notNull(),
    // Who joined (lib/http/client-address.ts): invariant 9 caps waiting like holding.
    clientKey: varchar("client_key", { length: 64 }).notNull().default(""),
    quantity: integer("quantity").notNull(),
    joinedAt: timestamp("joined_at", { withTimezone: true }).notNull().defaultNow(),
    offerCartId: uuid("offer_cart_id").references(() => carts.id),
    offeredUnits: integer("offered_units"),
    /** The entry's rank in its product's draw (1 first); null for entries that joined after it. */
    drawRank: integer("draw_rank"),
  },
  (t) => [
    uniqueIndex("waitlist_entries_product_waiter_idx").on(t.productId, t.waiterId),
    // The line of a product, in order (the draw's ranks first, then arrival): only rows still waiting.
    index("waitlist_entries_line_idx")
      .on(t.productId, t.drawRank, t.joinedAt, t.id)
      .where(sql`${t.offerCartId} is null`),
    index("waitlist_entries_offer_cart_idx")
      .on(t.offerCartId)
      .where(sql`${t.offerCartId} is not null`),
    index("waitlist_entries_client_key_idx").on(t.clientKey),
    check("waitlist_entries_quantity_positive", sql`${t.quantity} > 0`),
    check(
      "waitlist_entries_offer_complete",
      sql`(${t.offerCartId} is null) = (${t.offeredUnits} is null) and coalesce(${t.offeredUnits}, 1) > 0`,
    ),
  ],
);

/**
 * The record of a drop's draw (invariant 11), one row per entrant: the rank the draw gave it and
 * the offer it was made, kept after the entry itself has left the line (claimed, passed on, left),
 * so the operator can see who was drawn where and what came of it.
 */
export const drawEntries = pgTable(
  "draw_entries",
  {
    productId: integer("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    releaseAt: timestamp("release_at", { withTimezone: true }).notNull(),
    rank: integer("rank").notNull(),
    entryId: bigint("entry_id", { mode: "number" }).notNull(),
    waiterId: uuid("waiter_id").notNull(),
    clientKey: varchar("client_key", { length: 64 }).notNull(),
    joinedAt: timestamp("joined_at", { withTimezone: true }).notNull(),
    quantity: integer("quantity").notNull(),
    offerCartId: uuid("offer_cart_id"),
    offeredUnits: integer("offered_units"),
  },
  (t) => [primaryKey({ columns: [t.productId, t.releaseAt, t.rank] }), index("draw_entries_entry_idx").on(t.entryId)],
);

/** The hold ledger: one row per (cart, product) while the cart holds units of it. */
export const reservations = pgTable(
  "reservations",
  {
    cartId: uuid("cart_id")
      .notNull()
      .references(() => carts.id, { onDelete: "cascade" }),
    productId: integer("product_id")
      .notNull()
      .references(() => products.id),
    quantity: integer("quantity").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.cartId, t.productId] }),
    // Invariant 7 looks up the carts holding a product.
    index("reservations_product_id_idx").on(t.productId),
    check("reservations_quantity_positive", sql`${t.quantity} > 0`),
  ],
);

export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // One order per cart: a second checkout of the same cart finds this row instead of making another.
    cartId: uuid("cart_id")
      .notNull()
      .unique()
      .references(() => carts.id),
    email: text("email").notNull(),
    name: text("name").notNull(),
    totalCents: integer("total_cents").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("orders_total_cents_nonnegative", sql`${t.totalCents} >= 0`),
    // The operator's list of recent orders, read every second while /admin is open.
    index("orders_created_at_idx").on(t.createdAt),
  ],
);

export const orderLines = pgTable(
  "order_lines",
  {
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    productId: integer("product_id")
      .notNull()
      .references(() => products.id),
    quantity: integer("quantity").notNull(),
    // The price at the moment of checkout, so later price changes never rewrite an order.
    unitPriceCents: integer("unit_price_cents").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.productId] }),
    check("order_lines_quantity_positive", sql`${t.quantity} > 0`),
    check("order_lines_unit_price_nonnegative", sql`${t.unitPriceCents} >= 0`),
  ],
);

/** Liveness of expiry workers, read by /api/health. */
export const workerHeartbeats = pgTable("worker_heartbeats", {
  workerId: text("worker_id").primaryKey(),
  seenAt: timestamp("seen_at", { withTimezone: true }).notNull().defaultNow(),
});
