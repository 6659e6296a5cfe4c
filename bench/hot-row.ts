/**
 * The shared-tier ceiling of a drop: holds per second on ONE product at the database, whatever
 * the number of web instances, straight through the domain layer (no HTTP, no Redis).
 *
 * - coalesced: the product's `applyChange`, which batches the holds that arrive while a batch
 *   for the product is in flight (lib/hold/change-queue.ts);
 * - one statement per hold: COMPARISON ONLY, the hold this project used before coalescing: one
 *   conditional statement per hold (hold + cart + reservation), prepared;
 * - naive: COMPARISON ONLY, the article's unconditional `update … set stock = stock - q`.
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
  mode: "coalesced" | "one statement per hold" | "naive (unconditional)";
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

/** One hold of one unit; resolves true when granted, false when refused for lack of stock. */
function holder(mode: Mode, productId: number): (worker: number) => Promise<boolean> {
  if (mode === "coalesced") {
    return (worker) =>
      applyChange({ cartId: newCartId(), newFor: `bench-${worker}` }, { productId, mode: "add", quantity: 1 }).then(
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

async function setStock(mode: Mode, productId: number, units: number): Promise<void> {
  await db().execute(sql`delete from reservations where product_id = ${productId}`);
  await db().execute(sql`delete from carts where client_key like 'bench-%'`);
  await db().execute(
    sql`update inventory set on_hand = ${units}, available = ${units}, reserved = 0, sold = 0 where product_id = ${productId}`,
  );
  if (mode === "naive (unconditional)") {
    await db().execute(
      sql`insert into naive_stock (product_id, stock) values (${productId}, ${units})
          on conflict (product_id) do update set stock = excluded.stock`,
    );
  }
}

async function unitsLeft(mode: Mode, productId: number): Promise<number> {
  const [row] = await db().execute<{ n: number }>(
    mode === "naive (unconditional)"
      ? sql`select stock as n from naive_stock where product_id = ${productId}`
      : sql`select available as n from inventory where product_id = ${productId}`,
  );
  return Number(row?.n ?? 0);
}

async function measure(mode: Mode, productId: number, concurrency: number, seconds: number): Promise<HotRowRow> {
  const hold = holder(mode, productId);
  await setStock(mode, productId, 100_000_000);
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
  await setStock(mode, productId, SELL_OUT_UNITS);
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
  const left = await unitsLeft(mode, productId);
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

  const rows: HotRowRow[] = [];
  const modes: Mode[] = ["coalesced", "one statement per hold", "naive (unconditional)"];
  for (const concurrency of concurrencies) {
    for (const mode of modes) {
      progress(`hot row — ${mode}, ${concurrency} at once`);
      rows.push(await measure(mode, productId, concurrency, seconds));
    }
  }
  await setStock("coalesced", productId, 0);
  return rows;
}
