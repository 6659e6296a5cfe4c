import { sql } from "drizzle-orm";
import { check, customType, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** Postgres bytea as a Node Buffer (postgres.js reads and writes it so). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

/**
 * Pictures the operator uploaded for products (lib/catalog/product-images.ts). Kept in Postgres so
 * that every web instance serves every picture (GET /images/:id); a product's image_url names one
 * as `/images/<id>`. Rows are never changed: a new picture is a new row, so its address is cached
 * for good.
 */
export const productImages = pgTable(
  "product_images",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** What the bytes were found to be by their first bytes, never what the upload claimed. */
    contentType: text("content_type").notNull(),
    bytes: bytea("bytes").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      "product_images_content_type",
      sql`${t.contentType} in ('image/png', 'image/jpeg', 'image/webp', 'image/gif')`,
    ),
  ],
);
