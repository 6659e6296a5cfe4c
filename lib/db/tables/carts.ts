import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { products } from "./catalog";

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
