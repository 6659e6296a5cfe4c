import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { products } from "./catalog";
import { carts } from "./carts";

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
