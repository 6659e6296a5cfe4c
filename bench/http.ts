import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import autocannon, { type Options, type Result } from "autocannon";
import { sql } from "drizzle-orm";
import { applyChange } from "../lib/cart/line-change";
import { newCartId } from "../lib/cart/cart-id";
import { db } from "../lib/db/client";
import { redis } from "../lib/redis/client";
import { percentile } from "./stats";

export type HttpRow = {
  scenario: string;
  target: "holdcart" | "naive" | "ceiling";
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  requests: number;
};

const ROOT = path.resolve(import.meta.dirname, "..");
const CONNECTIONS = 50;
const SPREAD_PRODUCTS = 500;

type Server = { url: string; stop: () => Promise<void> };

async function startServer(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  health: string,
): Promise<Server> {
  const child: ChildProcess = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(health)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer at ${health}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: new URL(health).origin,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    },
  };
}

/** Fresh state before each run: no carts, every product back to its full stock. */
async function reset(): Promise<void> {
  // Requests of the last run may still be finishing; let them, then wipe (retrying a deadlock).
  for (let attempt = 1; ; attempt += 1) {
    await new Promise((r) => setTimeout(r, 500));
    try {
      await db().transaction(async (tx) => {
        await tx.execute(sql`truncate reservations, order_lines, orders, carts cascade`);
        await tx.execute(sql`update inventory set available = on_hand, reserved = 0, sold = 0`);
      });
      break;
    } catch (error) {
      if (attempt >= 10) throw error;
    }
  }
  await db()
    .execute(sql`update naive_stock set stock = 10000000`)
    .catch(() => {});
  await redis().flushdb();
}

async function seedBenchCatalog(): Promise<{ hot: number; spread: number[] }> {
  await db().execute(sql`
    insert into products (slug, name, price_cents, image_url)
    select 'bench-' || g, 'Bench product ' || g, 100 + g, '/products/canvas-tote-bag.svg' from generate_series(0, ${SPREAD_PRODUCTS}) g
    on conflict (slug) do nothing`);
  await db().execute(sql`
    insert into inventory (product_id, on_hand, available)
    select id, 10000000, 10000000 from products where slug like 'bench-%'
    on conflict (product_id) do update set on_hand = 10000000, available = 10000000, reserved = 0, sold = 0`);
  const rows = await db().execute<{ id: number; slug: string }>(
    sql`select id, slug from products where slug like 'bench-%' order by id`,
  );
  const hot = rows.find((r) => r.slug === "bench-0")?.id as number;
  return { hot, spread: rows.filter((r) => r.id !== hot).map((r) => r.id) };
}

function run(options: Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function row(scenario: string, target: HttpRow["target"], r: Result): HttpRow {
  return {
    scenario,
    target,
    reqPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    requests: r.requests.total,
  };
}

/** One cookie per connection, each for a cart made by one add through the API. */
async function cartCookies(url: string, productId: number, cookieName: string, count: number): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${url}/api/cart/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ productId, quantity: 1 }),
    });
    const cookie = response.headers.get("set-cookie")?.split(";")[0];
    if (!cookie?.startsWith(`${cookieName}=`)) throw new Error(`no cart cookie from ${url}: ${response.status}`);
    cookies.push(cookie);
  }
  return cookies;
}

const withCookies = (cookies: string[]) => {
  let next = 0;
  return (client: { setHeaders: (h: Record<string, string>) => void }) =>
    client.setHeaders({ "content-type": "application/json", cookie: cookies[next++ % cookies.length] as string });
};

/** The route's hold transaction straight through postgres.js, no HTTP and no Redis: the database's own ceiling. */
async function ceiling(productId: number, seconds: number): Promise<HttpRow> {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1_000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        try {
          await applyChange({ cartId: newCartId(), newFor: "bench" }, { productId, mode: "add", quantity: 1 });
          latencies.push(performance.now() - t);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  return {
    scenario: "1. add to cart, new cart each request",
    target: "ceiling",
    reqPerSec: Math.round(latencies.length / seconds),
    p50Ms: percentile(latencies, 50) ?? 0,
    p99Ms: percentile(latencies, 99) ?? 0,
    errors,
    non2xx: 0,
    requests: latencies.length,
  };
}

export async function httpBenchmarks(seconds: number, progress: (line: string) => void): Promise<HttpRow[]> {
  if (!existsSync(path.join(ROOT, ".next/BUILD_ID")) || !existsSync(path.join(ROOT, "dist/start.mjs"))) {
    throw new Error("no production build: run `npm run build` first (the benchmark measures the production server)");
  }
  const { hot, spread } = await seedBenchCatalog();
  const port = 3300 + Math.floor(Math.random() * 50);
  const ours = await startServer(
    "holdcart",
    process.execPath,
    ["dist/start.mjs"],
    { PORT: String(port) },
    `http://127.0.0.1:${port}/api/health`,
  );
  const naive = await startServer(
    "naive",
    path.join(ROOT, "node_modules/.bin/tsx"),
    ["bench/naive-server.ts"],
    { PORT: String(port + 100) },
    `http://127.0.0.1:${port + 100}/api/cart`,
  );
  await db().execute(
    sql`insert into naive_stock (product_id, stock) select product_id, 10000000 from inventory on conflict do nothing`,
  );
  const json = { "content-type": "application/json" };
  const addHot = JSON.stringify({ productId: hot, quantity: 1 });
  const rows: HttpRow[] = [];
  const measure = async (scenario: string, target: "holdcart" | "naive", options: Options) => {
    await reset();
    progress(`${scenario} — ${target}`);
    rows.push(row(scenario, target, await run({ duration: seconds, ...options })));
  };
  const S1 = "1. add to cart, new cart each request";
  const S4 = "4. read the cart";
  try {
    // Warm both up (JIT, pools, Next's route compilation) before anything is measured.
    await run({ url: `${ours.url}/api/cart/items`, method: "POST", headers: json, body: addHot, duration: 3 });
    await run({ url: `${naive.url}/api/cart/items`, method: "POST", headers: json, body: addHot, duration: 3 });

    for (let round = 0; round < 2; round += 1) {
      // Alternated, ours then naive then ours then naive, so drift over the run cancels out.
      await measure(S1, "holdcart", { url: `${ours.url}/api/cart/items`, method: "POST", headers: json, body: addHot });
      await measure(S1, "naive", { url: `${naive.url}/api/cart/items`, method: "POST", headers: json, body: addHot });
    }
    await reset();
    progress(`${S1} — ceiling (postgres.js, no HTTP)`);
    rows.push(await ceiling(hot, seconds));

    await measure("2. add to cart, spread over many products", "holdcart", {
      url: `${ours.url}/api/cart/items`,
      method: "POST",
      headers: json,
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ productId: spread[Math.floor(Math.random() * spread.length)], quantity: 1 }),
          }),
        },
      ],
    });

    await reset();
    const ourCarts = await cartCookies(ours.url, hot, "cart", CONNECTIONS);
    progress("3. add to an existing cart — holdcart");
    rows.push(
      row(
        "3. add to an existing cart",
        "holdcart",
        await run({
          url: `${ours.url}/api/cart/items`,
          method: "POST",
          body: addHot,
          duration: seconds,
          setupClient: withCookies(ourCarts),
        }),
      ),
    );

    for (let round = 0; round < 2; round += 1) {
      for (const [target, server, cookieName] of [
        ["holdcart", ours, "cart"],
        ["naive", naive, "naive"],
      ] as const) {
        await reset();
        const cookies = await cartCookies(server.url, hot, cookieName, CONNECTIONS);
        progress(`${S4} — ${target}`);
        rows.push(
          row(
            S4,
            target,
            await run({ url: `${server.url}/api/cart`, duration: seconds, setupClient: withCookies(cookies) }),
          ),
        );
      }
    }

    await measure("5. a product page (HTML)", "holdcart", { url: `${ours.url}/products/bench-0` });
  } finally {
    await ours.stop();
    await naive.stop();
    await reset();
  }
  return rows;
}
