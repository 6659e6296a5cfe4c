import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { products } from "./catalog";
import { carts } from "./carts";

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
