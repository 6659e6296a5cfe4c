import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "@/lib/db/migrate";
import { databaseUrl, dropDatabase, uniqueDatabaseName } from "../support/services";

/** drizzle/ as it was before a migration: its files, and its journal cut before `tag`. */
function migrationsBefore(tag: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), "holdcart-migrations-"));
  cpSync(path.resolve("drizzle"), folder, { recursive: true });
  const journalPath = path.join(folder, "meta/_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag === tag);
  if (cut < 0) throw new Error(`no migration ${tag}`);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, cut) }));
  return folder;
}

const name = uniqueDatabaseName("holdcart_variants_migration");
const folder = migrationsBefore("0011_variants");
afterAll(async () => {
  await dropDatabase(name);
  rmSync(folder, { recursive: true, force: true });
});

describe("migration 0011 (variants) on a store with live holds, orders and a line", () => {
  it("keeps the ledger exact: every product is its own single variant, with its stock, holds, orders and line", async () => {
    const url = databaseUrl(name);
    await migrateDatabase(url, folder);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      // A store as 0010 left it: a product with 10 on hand, 3 held in a live cart, 2 sold, a waiter.
      const [mug] = await sql<{ id: number }[]>`
        insert into products (slug, name, price_cents, image_url) values ('mug', 'Mug', 1800, '/m.svg') returning id`;
      const id = mug!.id;
      await sql`insert into inventory (product_id, on_hand, available, reserved, sold) values (${id}, 10, 5, 3, 2)`;
      const cart = crypto.randomUUID();
      const sold = crypto.randomUUID();
      await sql`insert into carts (id, client_key, expires_at) values (${cart}, '203.0.113.1', now() + interval '10 minutes')`;
      await sql`insert into reservations (cart_id, product_id, quantity) values (${cart}, ${id}, 3)`;
      await sql`insert into carts (id, client_key, expires_at, state, ended_at)
                values (${sold}, '203.0.113.2', now(), 'checked_out', now())`;
      const order = crypto.randomUUID();
      await sql`insert into orders (id, cart_id, email, name, total_cents) values (${order}, ${sold}, 'a@example.com', 'A', 3600)`;
      await sql`insert into order_lines (order_id, product_id, quantity, unit_price_cents) values (${order}, ${id}, 2, 1800)`;
      await sql`insert into waitlist_entries (product_id, waiter_id, client_key, quantity) values (${id}, ${crypto.randomUUID()}, '203.0.113.3', 1)`;
      const before = await sql`select * from inventory order by product_id`;

      await migrateDatabase(url); // every migration: 0011 is the one left

      expect(await sql`select * from inventory order by product_id`).toEqual(before);
      const [product] = await sql`select parent_id, option from products where id = ${id}`;
      expect(product).toEqual({ parent_id: null, option: null }); // its own single variant
      const [held] = await sql<
        { n: number }[]
      >`select sum(quantity)::int as n from reservations where product_id = ${id}`;
      expect(held?.n).toBe(3);
      const [ordered] = await sql<
        { n: number }[]
      >`select sum(quantity)::int as n from order_lines where product_id = ${id}`;
      expect(ordered?.n).toBe(2);
      const [waiting] = await sql<
        { n: number }[]
      >`select count(*)::int as n from waitlist_entries where product_id = ${id}`;
      expect(waiting?.n).toBe(1);
      // The new rule holds from now on: a variant names its choice.
      await expect(
        sql`insert into products (slug, name, price_cents, image_url, parent_id) values ('mug-x', 'Mug', 1800, '/m.svg', ${id})`,
      ).rejects.toThrow(/products_variant_option/);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});
