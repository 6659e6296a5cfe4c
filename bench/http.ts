import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import autocannon, { type Options, type Result } from "autocannon";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { db } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { SCRIPTS_COOKIE } from "../lib/http/shared-render-cookies";
import { redis } from "../lib/redis/client";
import { childrenOf, cpuMsOf } from "../scripts/harness/process-stats";
import { freePort } from "../scripts/harness/redis-server";

export type HttpRow = {
  scenario: string;
  target: "holdcart" | "naive" | "floor";
  connections: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  requests: number;
  /** CPU of the server's processes (user + system; a cluster's primary and web processes) per request completed. */
  cpuMsPerRequest: number;
};

const ROOT = path.resolve(import.meta.dirname, "..");
const SPREAD_PRODUCTS = 500;

type Server = { url: string; pid: number; stop: () => Promise<void> };

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
    pid: child.pid as number,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    },
  };
}

/** CPU time (user + system, ms) a server has used so far: its process and, in a cluster, its web processes. */
function cpuMs(pid: number): number {
  return [pid, ...childrenOf(pid)].reduce((sum, p) => sum + cpuMsOf(p), 0);
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
    sql`select id, slug from products where slug like 'bench-%' and slug <> 'bench-hot-row' order by id`,
  );
  const hot = rows.find((r) => r.slug === "bench-0")?.id as number;
  return { hot, spread: rows.filter((r) => r.id !== hot).map((r) => r.id) };
}

function run(options: Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
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

const json = { "content-type": "application/json" };
/** What Chromium sends with a page view over HTTPS (the shared renders are kept compressed). */
const browser = { "accept-encoding": "gzip, deflate, br" };

const withCookies = (cookies: string[], headers: Record<string, string> = json) => {
  let next = 0;
  return (client: { setHeaders: (h: Record<string, string>) => void }) =>
    client.setHeaders({ ...headers, cookie: cookies[next++ % cookies.length] as string });
};

export async function httpBenchmarks(seconds: number, progress: (line: string) => void): Promise<HttpRow[]> {
  if (!existsSync(path.join(ROOT, ".next/BUILD_ID")) || !existsSync(path.join(ROOT, "dist/web.mjs"))) {
    throw new Error("no production build: run `npm run build` first (the benchmark measures the production server)");
  }
  const { hot, spread } = await seedBenchCatalog();
  // Ports nothing listens on (a fixed range once met a MySQL on 3306).
  const [port, shopPort, naivePort] = [await freePort(), await freePort(), await freePort()];
  // The web server alone (its CPU is what is measured), with a worker beside it as in production.
  // One web process: the load generator runs on the same cores, so more processes would measure
  // their contention with it as much as their own cost (row 11 shows it for refusals).
  const ours = await startServer(
    "holdcart",
    process.execPath,
    ["dist/web.mjs"],
    { PORT: String(port), WEB_CONCURRENCY: "1" },
    `http://127.0.0.1:${port}/api/health`,
  );
  const worker = spawn(process.execPath, ["dist/worker.mjs"], { cwd: ROOT, env: process.env, stdio: "ignore" });
  const naive = await startServer(
    "naive",
    process.execPath,
    ["--import", "tsx", "bench/naive-server.ts"],
    { PORT: String(naivePort) },
    `http://127.0.0.1:${naivePort}/api/cart`,
  );
  await db().execute(
    sql`insert into naive_stock (product_id, stock) select product_id, 10000000 from inventory on conflict do nothing`,
  );
  const rows: HttpRow[] = [];
  const measure = async (
    scenario: string,
    target: HttpRow["target"],
    server: Server,
    options: Options,
    /** Web CPU ms per wall ms the server spends on its own, to subtract (0: none). */
    background = 0,
  ) => {
    const connections = options.connections ?? 50;
    progress(`${scenario} — ${target}, ${connections} connections`);
    const [cpuBefore, started] = [cpuMs(server.pid), performance.now()];
    const r = await run({ duration: seconds, ...options, connections });
    const requests = r.requests.total;
    const spent = cpuMs(server.pid) - cpuBefore - background * (performance.now() - started);
    rows.push({
      scenario,
      target,
      connections,
      reqPerSec: Math.round(r.requests.average),
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      errors: r.errors + r.timeouts,
      non2xx: r.non2xx,
      requests,
      cpuMsPerRequest: requests > 0 ? Number((Math.max(0, spent) / requests).toFixed(3)) : NaN,
    });
  };
  const addTo = (server: Server, pick: () => number): Options => ({
    url: `${server.url}/api/cart/items`,
    method: "POST",
    headers: json,
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ productId: pick(), quantity: 1 }) }) }],
  });
  const spreadPick = () => spread[Math.floor(Math.random() * spread.length)] as number;
  try {
    // Warm both up (JIT, pools, Next's route compilation) before anything is measured.
    await run({ ...addTo(ours, () => hot), duration: 3, connections: 50 });
    await run({ ...addTo(naive, () => hot), duration: 3, connections: 50 });
    await run({ url: `${ours.url}/api/health/live`, duration: 2, connections: 50 });

    for (const connections of [50, 500]) {
      await reset();
      await measure('0. framework floor: a route that returns "ok"', "floor", ours, {
        url: `${ours.url}/api/health/live`,
        connections,
      });
      for (const [scenario, pick] of [
        ["1. add to cart, new cart each request, one hot product", () => hot],
        ["2. add to cart, new cart each request, 500 products", spreadPick],
      ] as const) {
        // Alternated, ours then naive then ours then naive, so drift over the run cancels out.
        for (let round = 0; round < 2; round += 1) {
          for (const [target, server] of [
            ["holdcart", ours],
            ["naive", naive],
          ] as const) {
            await reset();
            await measure(scenario, target, server, { ...addTo(server, pick), connections });
          }
        }
      }
    }

    await reset();
    const ourCarts = await cartCookies(ours.url, hot, "cart", 50);
    await measure("3. add to an existing cart", "holdcart", ours, {
      url: `${ours.url}/api/cart/items`,
      method: "POST",
      body: JSON.stringify({ productId: hot, quantity: 1 }),
      setupClient: withCookies(ourCarts),
    });

    for (const [target, server, cookieName] of [
      ["holdcart", ours, "cart"],
      ["naive", naive, "naive"],
    ] as const) {
      await reset();
      const cookies = await cartCookies(server.url, hot, cookieName, 50);
      await measure("4. read the cart", target, server, {
        url: `${server.url}/api/cart`,
        setupClient: withCookies(cookies),
      });
    }

    // The bench's catalog: every product above on one page (2.2 MB of HTML, 29 KB in Brotli),
    // shared like any page; then the same to a client that accepts no encoding.
    await measure(`5. the catalog page (HTML, ${SPREAD_PRODUCTS + 1} products), no cart`, "holdcart", ours, {
      url: `${ours.url}/`,
      headers: browser,
    });
    await measure(`5b. the same catalog, to a client that accepts no compression`, "holdcart", ours, {
      url: `${ours.url}/`,
    });
    await pageViews(measure, shopPort);
  } finally {
    await ours.stop();
    worker.kill("SIGTERM");
    await naive.stop();
    await reset();
  }
  // What a refusal costs: the same client over its limit, refused for its new carts (the route's
  // first refusal, then the door's: lib/http/door/known-refusals.ts; before 2026-12-06 every one
  // inside Next) and over its rate by the door before Next runs. Each server alone, adds of new
  // carts on the hot product; after the first, all refused. Rows 9 and
  // 10 run one web process, so the figure is the answering process's own; row 11 the default (one
  // per core), where the load generator on the same cores takes CPU from them.
  const one = { WEB_CONCURRENCY: "1" };
  const door = { RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "1" };
  for (const [scenario, env] of [
    [
      "9. a refused new cart (new-cart limit: 429, known to the door after the route's first), one web process",
      { ...one, NEW_CARTS_PER_IP_PER_MINUTE: "1" },
    ],
    ["10. a refusal at the door (over its rate: 429 before Next), one web process", { ...one, ...door }],
    ["11. a refusal at the door, WEB_CONCURRENCY web processes (one per core)", door],
  ] as const) {
    const health = `http://127.0.0.1:${port}/api/health/live`;
    const server = await startServer(
      "holdcart",
      process.execPath,
      ["dist/web.mjs"],
      { PORT: String(port), ...env },
      health,
    );
    try {
      await run({ ...addTo(server, () => hot), duration: 2, connections: 50 }); // warm up, and spend the budget
      // The door holds each refusal back 500 ms (lib/http/door/refusal.ts): many connections, to
      // refuse many a second, and what the idle server spends meanwhile subtracted.
      const [idleCpu, idleFrom] = [cpuMs(server.pid), performance.now()];
      await new Promise((r) => setTimeout(r, 2_000));
      const background = (cpuMs(server.pid) - idleCpu) / (performance.now() - idleFrom);
      await measure(scenario, "holdcart", server, { ...addTo(server, () => hot), connections: 500 }, background);
    } finally {
      await server.stop();
      await reset();
    }
  }
  // The floor under rows 10 and 11: the same held 429, from a bare node:http server alone.
  const floor = await startServer(
    "refusal floor",
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "bench/refusal-floor.ts"],
    { PORT: String(port) },
    `http://127.0.0.1:${port}/health`,
  );
  try {
    await run({ ...addTo(floor, () => hot), duration: 2, connections: 50 }); // warm up
    const [idleCpu, idleFrom] = [cpuMs(floor.pid), performance.now()];
    await new Promise((r) => setTimeout(r, 2_000));
    const background = (cpuMs(floor.pid) - idleCpu) / (performance.now() - idleFrom);
    await measure(
      "12. the same refusal from a bare node:http server (no Next, no rate check): Node's own floor",
      "floor",
      floor,
      { ...addTo(floor, () => hot), connections: 500 },
      background,
    );
  } finally {
    await floor.stop();
  }
  return rows;
}

/** Next's router tree of the catalog page, as a click on it sends it (Next-Router-State-Tree). */
const CATALOG_TREE = encodeURIComponent(
  JSON.stringify(["", { children: ["__PAGE__", {}, null, null, 0] }, null, null, 16]),
);

type Measure = (scenario: string, target: HttpRow["target"], server: Server, options: Options) => Promise<void>;

/**
 * Page views of the shop as it is seeded (`npm run db:seed`: 12 products), on a web server of its
 * own over a database of its own: a browser without a cart gets the render it shares with every
 * other such view (lib/pages/), and so does a shopper with a cart whose browser runs the pages'
 * script (which then reads the hold); without scripts a shopper with a cart gets a page rendered for them.
 */
async function pageViews(measure: Measure, port: number): Promise<void> {
  const shopDb = new URL(process.env.DATABASE_URL as string);
  shopDb.pathname = `${shopDb.pathname}_shop`;
  const env = { DATABASE_URL: shopDb.toString() };
  await migrateDatabase(shopDb.toString());
  // Every product back to its seeded stock (a run before this one held some).
  const shopSql = postgres(shopDb.toString(), { max: 1, onnotice: () => {} });
  await shopSql`truncate reservations, order_lines, orders, carts cascade`;
  await shopSql`update inventory set available = on_hand, reserved = 0, sold = 0`;
  await shopSql.end();
  const seeded = spawnSync(process.execPath, ["dist/seed.mjs"], { cwd: ROOT, env: { ...process.env, ...env } });
  if (seeded.status !== 0) throw new Error(`seeding ${shopDb.pathname} failed: ${seeded.stderr.toString()}`);
  const shop = await startServer(
    "shop",
    process.execPath,
    ["dist/web.mjs"],
    { ...env, PORT: String(port) },
    `http://127.0.0.1:${port}/api/health`,
  );
  try {
    const product = `${shop.url}/products/enamel-camp-mug`;
    const { product: mug } = (await (await fetch(`${shop.url}/api/products/enamel-camp-mug`)).json()) as {
      product: { id: number };
    };
    for (const url of [product, `${shop.url}/`]) await run({ url, duration: 2, connections: 10 }); // warm up
    await measure("6. a product page (HTML), no cart", "holdcart", shop, { url: product, headers: browser });
    await measure("7. the catalog page (HTML, 12 products), no cart", "holdcart", shop, {
      url: `${shop.url}/`,
      headers: browser,
    });
    const shoppers = await cartCookies(shop.url, mug.id, "cart", 50);
    await measure("8. a product page (HTML), a shopper with a cart whose browser runs no scripts", "holdcart", shop, {
      url: product,
      setupClient: withCookies(shoppers, browser),
    });
    // With the pages' script the same shopper is sent the shared render, and the page then asks for
    // the hold: the two together are what their page view costs.
    const scripted = shoppers.map((cookie) => `${cookie}; ${SCRIPTS_COOKIE}=1`);
    await measure("13. a product page (HTML), a shopper with a cart whose browser runs scripts", "holdcart", shop, {
      url: product,
      setupClient: withCookies(scripted, browser),
    });
    await measure("14. the read of the hold that page then asks for (GET /api/hold, at the door)", "holdcart", shop, {
      url: `${shop.url}/api/hold`,
      setupClient: withCookies(scripted, browser),
    });
    // What a browser new to the shop asks for with its first page besides the page: the build's
    // scripts and styles and the pictures, sent by the door from memory (lib/http/door/static-files.ts).
    const chunks = path.join(ROOT, ".next/static/chunks");
    const [largest] = readdirSync(chunks)
      .filter((name) => name.endsWith(".js"))
      .sort((a, b) => statSync(path.join(chunks, b)).size - statSync(path.join(chunks, a)).size);
    await measure("15. the largest script of the build (a page's first view asks for ten)", "holdcart", shop, {
      url: `${shop.url}/_next/static/chunks/${largest}`,
      headers: browser,
    });
    await measure("16. a product's picture (public/)", "holdcart", shop, {
      url: `${shop.url}/products/enamel-camp-mug.svg`,
      headers: browser,
    });
    // A click on the catalog's product: Next's request of the page's payload, as the catalog's
    // router sends it. Its `_rsc` is Next's hash of these headers: asked once with none, Next
    // redirects to the right one.
    const click = { rsc: "1", "next-router-state-tree": CATALOG_TREE, "next-url": "/", ...browser };
    const redirect = await fetch(`${product}?_rsc=0`, { headers: click, redirect: "manual" });
    await measure("17. a click's request of a product page (RSC payload), no cart", "holdcart", shop, {
      url: `${shop.url}${redirect.headers.get("location")}`,
      headers: click,
    });
  } finally {
    await shop.stop();
  }
}
