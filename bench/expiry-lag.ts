import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { db } from "../lib/db/client";
import { redis } from "../lib/redis/client";
import { writeCartToRedis } from "../lib/hold/redis-cart";
import { percentile } from "./stats";

export type LagRow = {
  implementation: "holdcart worker" | "naive listener (events only)";
  otherLiveCarts: number;
  carts: number;
  /** Infinity: some holds had not ended when the run gave up (60 s after the deadline). */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number;
  /** Carts whose units were still held when the run gave up waiting. */
  stillHeld: number;
};

const EXPIRING = 1_000;
const DEADLINE_IN_S = 6;
const GIVE_UP_AFTER_MS = 60_000;
const ROOT = path.resolve(import.meta.dirname, "..");

function startProcess(kind: "holdcart" | "naive"): ChildProcess {
  const tsx = path.join(ROOT, "node_modules/.bin/tsx");
  const [command, args] =
    kind === "naive"
      ? [tsx, ["bench/naive-listener.ts"]]
      : existsSync(path.join(ROOT, "dist/worker.mjs"))
        ? [process.execPath, ["dist/worker.mjs"]]
        : [tsx, ["--conditions=react-server", "worker/index.ts"]];
  return spawn(command, args, { cwd: ROOT, env: process.env, stdio: ["ignore", "pipe", "inherit"] });
}

async function started(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('"worker_started"')) resolve();
    });
    child.on("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
  child.stdout?.resume();
}

async function reset(productId: number): Promise<void> {
  await redis().flushdb("ASYNC"); // a million keys take longer to drop than a command may wait
  await db().execute(sql`truncate reservations, carts cascade`);
  await db().execute(
    sql`update inventory set available = on_hand, reserved = 0, sold = 0 where product_id = ${productId}`,
  );
}

/**
 * `count` carts holding one unit each, deadline `seconds` from now (database clock), written to
 * Postgres in one statement and to Redis with the app's own script, as the add path would.
 */
async function createCarts(productId: number, count: number, seconds: number): Promise<string[]> {
  if (count === 0) return [];
  const rows = await db().execute<{ id: string; ttl_ms: number; expires_ms: number }>(sql`
    with made as (
      insert into carts (id, expires_at)
      select gen_random_uuid(), now() + make_interval(secs => ${seconds}) from generate_series(1, ${count})
      returning id, expires_at
    ), held as (
      insert into reservations (cart_id, product_id, quantity) select id, ${productId}, 1 from made
    )
    select id, floor(extract(epoch from expires_at - now()) * 1000)::int as ttl_ms,
           (extract(epoch from expires_at) * 1000)::float8 as expires_ms
      from made`);
  await db().execute(
    sql`update inventory set available = available - ${count}, reserved = reserved + ${count} where product_id = ${productId}`,
  );
  // 5,000 scripts in flight at a time: one connection pipelines them.
  for (let i = 0; i < rows.length; i += 5_000) {
    await Promise.all(
      rows.slice(i, i + 5_000).map((row) =>
        writeCartToRedis({
          cartId: row.id,
          version: 2,
          expiresAtMs: Number(row.expires_ms),
          ttlMs: row.ttl_ms,
          extensionsUsed: 0,
          lines: [{ productId, quantity: 1 }],
        }),
      ),
    );
  }
  return rows.map((r) => r.id);
}

async function measure(kind: "holdcart" | "naive", productId: number, others: number): Promise<LagRow> {
  await reset(productId);
  await createCarts(productId, others, 3_600);
  const worker = startProcess(kind);
  try {
    await started(worker);
    const targets = await createCarts(productId, EXPIRING, DEADLINE_IN_S);
    const giveUp = Date.now() + DEADLINE_IN_S * 1_000 + GIVE_UP_AFTER_MS;
    let remaining = targets.length;
    while (Date.now() < giveUp) {
      await new Promise((r) => setTimeout(r, 250));
      const [row] = await db().execute<{ n: number }>(
        sql`select count(*)::int as n from carts where state = 'active' and id in ${targets}`,
      );
      remaining = row?.n ?? 0;
      if (remaining === 0) break;
    }
    const lags = (
      await db().execute<{ lag: number }>(sql`
        select extract(epoch from ended_at - expires_at) * 1000 as lag from carts
         where ended_at is not null and id in ${targets}`)
    ).map((r) => Number(r.lag));
    // A hold still in place when we gave up counts as endlessly late.
    for (let i = 0; i < remaining; i += 1) lags.push(Number.POSITIVE_INFINITY);
    return {
      implementation: kind === "holdcart" ? "holdcart worker" : "naive listener (events only)",
      otherLiveCarts: others,
      carts: EXPIRING,
      p50Ms: percentile(lags, 50),
      p99Ms: percentile(lags, 99),
      maxMs: Math.round(Math.max(...lags)),
      stillHeld: remaining,
    };
  } finally {
    worker.kill("SIGTERM");
    await new Promise((r) => worker.once("exit", r));
  }
}

/** Expiry -> restored lag for 1,000 carts expiring together among `sizes` other live carts. */
export async function expiryLagBenchmark(sizes: number[], progress: (line: string) => void): Promise<LagRow[]> {
  const [product] = await db().execute<{ id: number }>(sql`
    with p as (insert into products (slug, name, price_cents, image_url)
               values ('expiry-bench-widget', 'Expiry bench widget', 100, '/products/canvas-tote-bag.svg')
               on conflict (slug) do update set name = excluded.name returning id)
    insert into inventory (product_id, on_hand, available) select id, 2000000, 2000000 from p
    on conflict (product_id) do update set on_hand = 2000000, available = 2000000, reserved = 0, sold = 0
    returning product_id as id`);
  const productId = product?.id as number;
  const rows: LagRow[] = [];
  for (const others of sizes) {
    for (const kind of ["holdcart", "naive"] as const) {
      progress(`expiry lag: ${kind}, 1,000 carts expiring among ${others.toLocaleString("en")} live carts`);
      rows.push(await measure(kind, productId, others));
    }
  }
  await reset(productId);
  return rows;
}
