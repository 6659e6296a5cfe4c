/**
 * The shared-tier ceiling of a drop: holds per second on ONE product at the database, whatever
 * the number of web instances, straight through the domain layer (no HTTP, no Redis).
 *
 * - coalesced: the product's `applyChange`, which batches the holds that arrive while a batch
 *   for the product is in flight (lib/hold/change-queue.ts);
 * - one statement per hold: COMPARISON ONLY, the hold this project used before coalescing: one
 *   conditional statement per hold (hold + cart + reservation), prepared;
 * - naive: COMPARISON ONLY, the article's unconditional `update … set stock = stock - q`;
 * - coalesced, 10 sizes: a product whose demand spreads over 10 variants (sizes), each its own
 *   row of stock and its own batches: each worker asks for one size, the next worker the next.
 *
 * Each runs for a while on plenty of stock (throughput, latency), then sells out 1,000 units to
 * 2,000 requests (how many were sold past the stock).
 */
import { sql } from "drizzle-orm";
import { newCartId } from "../lib/cart/cart-id";
import { applyChange } from "../lib/hold/change-queue";
import { config } from "../lib/base/config";
import { db, pg } from "../lib/db/client";
import { percentile } from "./stats";

export type HotRowRow = {
  mode: "coalesced" | "coalesced, 10 sizes" | "one statement per hold" | "naive (unconditional)";
  concurrency: number;
  holdsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Of 2,000 requests for the last 1,000 units: units granted beyond the stock. */
  oversold: number;
};

type Mode = HotRowRow["mode"];
const SELL_OUT_UNITS = 1_000;
const SELL_OUT_REQUESTS = 2_000;
const SIZES = 10;

/** The rows of stock a mode holds from: the product, or its 10 sizes. */
type Target = { productId: number; sizes: number[] };

const rowsOf = (mode: Mode, target: Target): number[] =>
  mode === "coalesced, 10 sizes" ? target.sizes : [target.productId];

/** One hold of one unit; resolves true when granted, false when refused for lack of stock. */
function holder(mode: Mode, target: Target): (worker: number) => Promise<boolean> {
  const { productId } = target;
  if (mode === "coalesced" || mode === "coalesced, 10 sizes") {
    const rows = rowsOf(mode, target);
    return (worker) =>
      applyChange(
        { cartId: newCartId(), newFor: `bench-${worker}` },
        { productId: rows[worker % rows.length]!, mode: "add", quantity: 1 },
      ).then(
        () => true,
        (error: { code?: string }) => {
          if (error.code === "insufficient_stock") return false;
          throw error;
        },
      );
  }
  if (mode === "one statement per hold") {
    const ttl = config().cartTtlSeconds;
    return async (worker) => {
      const cartId = newCartId();
      const [row] = await pg()<{ held: boolean }[]>`
        with held as (
          update inventory set available = available - 1, reserved = reserved + 1
           where product_id = ${productId} and available >= 1
          returning available
        ),
        cart as (
          insert into carts (id, client_key, expires_at)
          select ${cartId}, ${`bench-${worker}`}, now() + make_interval(secs => ${ttl}) from held
          returning id
        ),
        line as (insert into reservations (cart_id, product_id, quantity) select id, ${productId}, 1 from cart)
        select exists (select 1 from held) as held`;
      return row?.held === true;
    };
  }
  return async () => {
    await pg()`update naive_stock set stock = stock - 1 where product_id = ${productId}`;
    return true; // it never refuses: that is the point
  };
}

async function setStock(mode: Mode, target: Target, units: number): Promise<void> {
  const { productId } = target;
  const rows = rowsOf(mode, target);
  const each = Math.floor(units / rows.length);
  await db().execute(sql`delete from reservations where product_id in ${sql.raw(`(${rows.join(",")})`)}`);
  await db().execute(sql`delete from carts where client_key like 'bench-%'`);
  await db().execute(
    sql`update inventory set on_hand = ${each}, available = ${each}, reserved = 0, sold = 0
         where product_id in ${sql.raw(`(${rows.join(",")})`)}`,
  );
  if (mode === "naive (unconditional)") {
    await db().execute(
      sql`insert into naive_stock (product_id, stock) values (${productId}, ${units})
          on conflict (product_id) do update set stock = excluded.stock`,
    );
  }
}

async function unitsLeft(mode: Mode, target: Target): Promise<number> {
  const rows = rowsOf(mode, target);
  const [row] = await db().execute<{ n: number }>(
    mode === "naive (unconditional)"
      ? sql`select stock as n from naive_stock where product_id = ${target.productId}`
      : sql`select sum(available) as n from inventory where product_id in ${sql.raw(`(${rows.join(",")})`)}`,
  );
  return Number(row?.n ?? 0);
}

async function measure(mode: Mode, target: Target, concurrency: number, seconds: number): Promise<HotRowRow> {
  const hold = holder(mode, target);
  await setStock(mode, target, 100_000_000);
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1_000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < until) {
        const t = performance.now();
        try {
          await hold(worker);
          latencies.push(performance.now() - t);
        } catch {
          errors += 1;
        }
      }
    }),
  );

  // Selling out: 2,000 requests for 1,000 units, `concurrency` at a time.
  await setStock(mode, target, SELL_OUT_UNITS);
  let granted = 0;
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (sent < SELL_OUT_REQUESTS) {
        sent += 1;
        if (await hold(worker).catch(() => false)) granted += 1;
      }
    }),
  );
  const left = await unitsLeft(mode, target);
  return {
    mode,
    concurrency,
    holdsPerSec: Math.round(latencies.length / seconds),
    p50Ms: percentile(latencies, 50) ?? 0,
    p99Ms: percentile(latencies, 99) ?? 0,
    errors,
    // Granted beyond the stock; the naive counter shows it as stock below zero.
    oversold: Math.max(0, granted - SELL_OUT_UNITS, -left),
  };
}

export async function hotRowBenchmark(
  seconds: number,
  concurrencies: number[],
  progress: (line: string) => void,
): Promise<HotRowRow[]> {
  await db().execute(
    sql`create table if not exists naive_stock (product_id integer primary key, stock integer not null)`,
  );
  await db().execute(sql`
    insert into products (slug, name, price_cents, image_url)
    values ('bench-hot-row', 'Bench hot row', 100, '/products/canvas-tote-bag.svg') on conflict (slug) do nothing`);
  const [product] = await db().execute<{ id: number }>(sql`select id from products where slug = 'bench-hot-row'`);
  const productId = Number(product?.id);
  await db().execute(sql`insert into inventory (product_id) values (${productId}) on conflict do nothing`);
  const target = { productId, sizes: await sizedProduct() };

  const rows: HotRowRow[] = [];
  const modes: Mode[] = ["coalesced", "coalesced, 10 sizes", "one statement per hold", "naive (unconditional)"];
  for (const concurrency of concurrencies) {
    for (const mode of modes) {
      progress(`hot row — ${mode}, ${concurrency} at once`);
      rows.push(await measure(mode, target, concurrency, seconds));
    }
  }
  await setStock("coalesced", target, 0);
  await setStock("coalesced, 10 sizes", target, 0);
  return rows;
}

/** A product in 10 sizes (lib/db/tables/catalog.ts), each a row of stock; answers the sizes' ids. */
async function sizedProduct(): Promise<number[]> {
  await db().execute(sql`
    insert into products (slug, name, price_cents, image_url)
    values ('bench-sized', 'Bench sized', 100, '/products/canvas-tote-bag.svg') on conflict (slug) do nothing`);
  const [parent] = await db().execute<{ id: number }>(sql`select id from products where slug = 'bench-sized'`);
  for (let size = 1; size <= SIZES; size += 1) {
    await db().execute(sql`
      insert into products (slug, name, price_cents, image_url, parent_id, option)
      values (${`bench-sized--${size}`}, ${`Bench sized — ${size}`}, 100, '/products/canvas-tote-bag.svg', ${parent?.id}, ${String(size)})
      on conflict (slug) do nothing`);
  }
  const sizes = await db().execute<{ id: number }>(
    sql`select id from products where parent_id = ${parent?.id} order by id`,
  );
  for (const { id } of sizes) {
    await db().execute(sql`insert into inventory (product_id) values (${id}) on conflict do nothing`);
  }
  return sizes.map((s) => Number(s.id));
}
