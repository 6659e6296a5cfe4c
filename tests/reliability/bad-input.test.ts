import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { describeError } from "@/lib/http/error-response";
import { recordFigures } from "../support/figures";
import { invariantViolations } from "../support/invariants";
import { createProduct } from "../support/ledger";
import { freePort, RedisServer } from "../../scripts/harness/redis-server";
import { Shopper } from "../support/shopper";
import { WebProcess } from "../../scripts/harness/web-process";
import { rawRequest } from "../support/raw-client";
import { setTestConfig } from "../support/config";

// The web's Redis is a private server this file can break: out of memory under `noeviction`,
// turned into a replica, reloading its data. Its files go to a folder of its own.
const redisDir = mkdtempSync(path.join(tmpdir(), "holdcart-bad-input-"));
const redisServer = new RedisServer(await freePort(), [
  ...["--dir", redisDir, "--maxmemory", "4mb", "--maxmemory-policy", "noeviction"],
  // DEBUG RELOAD (from this machine only) with a per-key delay is how a test sees LOADING.
  ...["--enable-debug-command", "local", "--loading-process-events-interval-bytes", "1024"],
]);
await redisServer.start();
setTestConfig({
  REDIS_URL: redisServer.url,
  DATABASE_POOL_MAX: "5", // the machine's Postgres is shared
});

const SWEEP_MS = 500;
const ADMIN = process.env.ADMIN_TOKEN as string;
const web = new WebProcess({
  DATABASE_POOL_MAX: "5",
  // The new-cart limit counts in Redis on every new cart: the call that failed first when full.
  NEW_CARTS_PER_IP_PER_MINUTE: "1000",
  HOLD_LIMITS: "off",
});
const statuses: Record<string, number> = {};
let productId = 0;

beforeAll(async () => {
  productId = await createProduct(100);
  await web.start();
});
afterAll(async () => {
  await web.stop();
  await redisServer.stop();
  rmSync(redisDir, { recursive: true, force: true });
  recordFigures("bad input", { requests: Object.values(statuses).reduce((a, b) => a + b, 0), statuses });
});

type Answer = { status: number; headers: Headers; text: string };

async function send(pathname: string, init: RequestInit & { duplex?: "half" } = {}): Promise<Answer> {
  const response = await fetch(`${web.url}${pathname}`, { redirect: "manual", ...init });
  const answer = { status: response.status, headers: response.headers, text: await response.text() };
  statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
  return answer;
}

/** A request fetch() will not send (TRACE is a forbidden method in the fetch standard). */
async function sendRaw(method: string, pathname: string): Promise<Answer> {
  const raw = await rawRequest(`${web.url}${pathname}`, { method });
  statuses[raw.status] = (statuses[raw.status] ?? 0) + 1;
  const headers = new Headers();
  for (const [k, v] of Object.entries(raw.headers)) if (typeof v === "string") headers.set(k, v);
  return { status: raw.status, headers, text: raw.body };
}

/** The ops view: every product's counters and the number of live and overdue carts. */
async function inventory(): Promise<unknown> {
  const answer = await send("/api/admin/inventory", { headers: { authorization: `Bearer ${ADMIN}` } });
  expect(answer.status).toBe(200);
  return JSON.parse(answer.text);
}

/** Sends one bad request; the stock ledger and the ops view are exactly as before. */
async function changesNothing(attempt: () => Promise<Answer>): Promise<Answer> {
  const before = await inventory();
  const answer = await attempt();
  expect(await inventory()).toEqual(before);
  expect(await invariantViolations(SWEEP_MS)).toEqual([]);
  return answer;
}

/** A refusal in the API's shape: the status, `{error: {code, message}}`, never a stack trace. */
function expectRefusal(answer: Answer, status: number, code: string, label = ""): void {
  expect(answer.status, `${label} ${answer.text.slice(0, 200)}`).toBe(status);
  expect(answer.text).not.toMatch(/\bat .+\.(js|ts|mjs):\d+|node_modules/);
  expect(JSON.parse(answer.text), label).toMatchObject({ error: { code, message: expect.any(String) } });
}

function expectUnavailable(answer: Answer, label = ""): void {
  expectRefusal(answer, 503, "service_unavailable", label);
  expect(answer.headers.get("retry-after"), label).toMatch(/^\d+$/);
}

/** The id Next gave a server action in this build. */
function actionId(name: string): string {
  const file = path.resolve(import.meta.dirname, "../../.next/server/server-reference-manifest.json");
  const manifest = JSON.parse(readFileSync(file, "utf8")) as {
    node: Record<string, { exportedName?: string }>;
  };
  const id = Object.entries(manifest.node).find(([, action]) => action.exportedName === name)?.[0];
  if (!id) throw new Error(`no server action ${name} in the build`);
  return id;
}

/** Calls the add-to-cart server action as the product page's button does. */
function callAddAction(body: BodyInit, headers: Record<string, string> = {}, init: { duplex?: "half" } = {}) {
  return send("/", {
    method: "POST",
    headers: {
      "next-action": actionId("addToCartAction"),
      "content-type": "text/plain;charset=UTF-8",
      accept: "text/x-component",
      ...headers,
    },
    body,
    ...init,
  });
}

describe("requests Next refuses before any route code runs answer a 4xx", () => {
  it("a malformed % escape in a dynamic segment answers 400, on API routes and pages", async () => {
    const shopper = new Shopper(web.url);
    expect((await shopper.add(productId, 1)).status).toBe(200);
    const cookie = `cart=${shopper.cookies.get("cart")}`;
    const json = { "content-type": "application/json", cookie };
    for (const [method, pathname, init] of [
      ["GET", "/api/products/%ff", {}],
      ["PATCH", "/api/cart/items/%ff", { headers: json, body: JSON.stringify({ quantity: 5 }) }],
      ["DELETE", "/api/cart/items/%ff", { headers: { cookie } }],
      [
        "POST",
        `/api/admin/products/%ff/stock`,
        { headers: { ...json, authorization: `Bearer ${ADMIN}` }, body: '{"add":5}' },
      ],
      ["GET", "/orders/%ff", {}],
      ["GET", "/products/%e2%82", {}],
      ["GET", "/api/products/%", {}],
    ] as const) {
      const answer = await changesNothing(() => send(pathname, { method, ...init }));
      expectRefusal(answer, 400, "invalid_request", `${method} ${pathname}`);
    }
    expect((await shopper.cart()).body.cart.items[0].quantity).toBe(1);
  });

  it("a good escape still reaches the route", async () => {
    expectRefusal(await send("/api/products/caf%C3%A9"), 404, "not_found");
  });

  // Next cannot build a Request for TRACE (the fetch standard forbids the method), so neither a
  // route nor proxy.ts ever sees it; the web server in front of Next (dist/web.mjs) refuses it.
  it("TRACE on any route answers 405, names the methods allowed, and changes nothing", async () => {
    for (const method of ["TRACE"]) {
      for (const pathname of ["/", "/api/products", "/api/cart/items", `/api/cart/items/${productId}`]) {
        const answer = await changesNothing(() => sendRaw(method, pathname));
        expectRefusal(answer, 405, "method_not_allowed", `${method} ${pathname}`);
        expect(answer.headers.get("allow")).toMatch(/GET/);
        expect(answer.text).not.toMatch(/\bat .+\.(js|ts|mjs):\d+|node_modules/);
      }
    }
  });
});

describe("server-action calls Next would fail on answer a 4xx and change nothing", () => {
  it("a shopper's own call still goes through the proxy and holds the unit", async () => {
    const before = (await inventory()) as { products: { id: number; reserved: number }[] };
    const answer = await callAddAction(JSON.stringify([productId, 1]), {
      origin: web.url,
      "sec-fetch-site": "same-origin",
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('"ok":true');
    const after = (await inventory()) as typeof before;
    const reserved = (i: typeof before) => i.products.find((p) => p.id === productId)?.reserved ?? -1;
    expect(reserved(after)).toBe(reserved(before) + 1);
  });

  it("a broken, too deep, or nonsensical body answers 400", async () => {
    for (const [label, body] of [
      ["broken JSON", "[1,"],
      ["5,000-deep nesting", `${"[".repeat(5_000)}${"]".repeat(5_000)}`],
      ["not an argument list", '"hello"'],
      ["a reference to a row never sent", `["$@1", 1]`],
    ] as const) {
      expectRefusal(await changesNothing(() => callAddAction(body)), 400, "invalid_request", label);
    }
  });

  // (A chunked body, of no declared length, is refused with 411 before it is read: the web closes
  // the connection on it, which fetch reports as a failed write; stalled-bodies.test.ts checks it
  // on a raw socket.)
  it("a body over 1 MB answers 413", async () => {
    const big = JSON.stringify([productId, "x".repeat(1_100_000)]);
    expectRefusal(await changesNothing(() => callAddAction(big)), 413, "payload_too_large", "declared");
  });

  it("a cross-origin call answers 403, with JavaScript or as a plain form", async () => {
    const valid = JSON.stringify([productId, 1]);
    for (const headers of [
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
    ] as Record<string, string>[]) {
      const answer = await changesNothing(() => callAddAction(valid, headers));
      expectRefusal(answer, 403, "forbidden", JSON.stringify(headers));
    }
    const form = new FormData();
    form.append(`$ACTION_ID_${actionId("checkoutAction")}`, "");
    form.append("email", "eve@example.com");
    form.append("name", "Eve");
    const answer = await changesNothing(() =>
      send("/cart", { method: "POST", body: form, headers: { origin: "https://evil.example" } }),
    );
    expectRefusal(answer, 403, "forbidden", "form post");
  });
});

describe("server actions called with arguments they cannot parse answer 4xx", () => {
  it("every action that takes a form, called with other arguments: 404, nothing changed, never a 500", async () => {
    const formActions = [
      "addToCartForm",
      "setQuantityForm",
      "emptyCartForm",
      "extendHoldForm",
      "holdAgainForm",
      "joinWaitlistForm",
      "leaveWaitlistForm",
      "dismissEndedForm",
      "checkoutAction",
      "signInAction",
      "restockAction",
      "setLimitAction",
      "scheduleDropAction",
    ];
    // Each on a page that uses it (Next runs an action only for a page whose forms hold it).
    const pageOf = (name: string) =>
      name === "checkoutAction"
        ? "/cart"
        : /^(signIn|restock|setLimit|scheduleDrop)Action$/.test(name)
          ? "/admin"
          : "/";
    for (const name of formActions) {
      for (const args of [[1, "x"], [{}, 5], ["not a form"], [null, { productId: 1 }]]) {
        const answer = await changesNothing(() =>
          send(pageOf(name), {
            method: "POST",
            headers: {
              "next-action": actionId(name),
              "content-type": "text/plain;charset=UTF-8",
              accept: "text/x-component",
            },
            body: JSON.stringify(args),
          }),
        );
        expect(answer.status, `${name}(${JSON.stringify(args)})`).toBe(404);
      }
    }
  });
});

describe("admin calls", () => {
  it("accept the Bearer scheme in any case", async () => {
    for (const scheme of ["bearer", "BEARER", "Bearer"]) {
      const answer = await send("/api/admin/inventory", { headers: { authorization: `${scheme} ${ADMIN}` } });
      expect(answer.status, scheme).toBe(200);
    }
  });

  it("a restock past what Postgres' integer holds answers 400 and changes nothing", async () => {
    const id = await createProduct(10);
    await db().execute(
      sql`update inventory set on_hand = 2147000000, available = 2147000000 - reserved - sold where product_id = ${id}`,
    );
    const restock = (add: number) =>
      send(`/api/admin/products/${id}/stock`, {
        method: "POST",
        headers: { authorization: `bearer ${ADMIN}`, "content-type": "application/json" },
        body: JSON.stringify({ add }),
      });
    expectRefusal(await changesNothing(() => restock(1_000_000)), 400, "invalid_request", "past 2^31");
    const fits = await restock(483_647);
    expect(fits.status).toBe(200);
    expect(JSON.parse(fits.text).product.onHand).toBe(2_147_483_647);
    expectRefusal(await changesNothing(() => restock(1)), 400, "invalid_request", "full");
  });

  it("any value Postgres cannot store is a 400, as the driver really reports it", async () => {
    const error = await db()
      .execute(sql`select ${2_147_483_647}::int + 1`)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(describeError(error)).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
  });
});

describe("a Redis that refuses work answers 503 with Retry-After, and the ledger does not move", () => {
  const admin = (db = 0) => new Redis(`redis://127.0.0.1:${redisServer.port}/${db}`, { maxRetriesPerRequest: 1 });

  const add = (cookie?: string) =>
    send("/api/cart/items", {
      method: "POST",
      headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ productId, quantity: 1 }),
    });

  /**
   * Adds from new shoppers (the new-cart limit counts in Redis first) and, when given, from a
   * shopper with a cart (Postgres first, then the Redis write, undone when that fails).
   */
  async function addsWhileRefused(count: number, existing?: Shopper): Promise<void> {
    const answers = await Promise.all([
      ...(existing ? [add(`cart=${existing.cookies.get("cart")}`)] : []),
      ...Array.from({ length: count }, () => add()),
    ]);
    answers.forEach((answer, i) => expectUnavailable(answer, `add ${i}`));
  }

  async function shopperWithCart(): Promise<Shopper> {
    const shopper = new Shopper(web.url);
    expect((await shopper.add(productId, 1)).status).toBe(200);
    return shopper;
  }

  const webLog = () => web.output.join("");

  it("out of memory under noeviction (OOM)", async () => {
    const filler = admin(1);
    try {
      // Fill it: another db of the same server, 4 KB values until Redis refuses.
      let full = false;
      for (let batch = 0; !full && batch < 200; batch += 1) {
        const pipeline = filler.pipeline();
        for (let i = 0; i < 50; i += 1) pipeline.set(`fill:${batch}:${i}`, "x".repeat(4_096));
        full = ((await pipeline.exec()) ?? []).some(([error]) => /^OOM/.test(error?.message ?? ""));
      }
      expect(full).toBe(true);
      // Once the pipeline's buffers are freed Redis sits just under the limit, and small writes
      // pass again; keep it over the limit, as a Redis filled by live traffic would be.
      const used = Number(/used_memory:(\d+)/.exec(await filler.info("memory"))?.[1]);
      await filler.config("SET", "maxmemory", String(used - 512 * 1024));
      const before = await inventory();
      // (A shopper who already has a cart may still be served: a script that has written once
      // may write on, so Redis lets the cart's script finish. New carts are refused.)
      await addsWhileRefused(20);
      expect(await inventory()).toEqual(before);
      expect(await invariantViolations(SWEEP_MS)).toEqual([]);
      expect(webLog()).toMatch(/OOM command not allowed/);
    } finally {
      await filler.config("SET", "maxmemory", "4mb");
      await filler.flushdb();
      filler.disconnect();
    }
    expect((await add()).status).toBe(200); // room again: adds work at once
  });

  it("a replica (READONLY), and one whose master is gone (MASTERDOWN)", async () => {
    const existing = await shopperWithCart();
    const cookie = `cart=${existing.cookies.get("cart")}`;
    const master = new RedisServer(await freePort(), ["--dir", redisDir]);
    await master.start();
    const control = admin();
    const before = await inventory();
    try {
      await control.replicaof("127.0.0.1", master.port);
      await addsWhileRefused(10, existing);
      expect(await inventory()).toEqual(before);
      expect(webLog()).toMatch(/READONLY/);

      await master.stop();
      await control.config("SET", "replica-serve-stale-data", "no");
      await addsWhileRefused(5, existing);
      expectUnavailable(await send("/api/cart", { headers: { cookie } }), "read");
      expect(await inventory()).toEqual(before);
      expect(webLog()).toMatch(/MASTERDOWN/);
    } finally {
      await control.replicaof("NO", "ONE");
      await control.config("SET", "replica-serve-stale-data", "yes");
      control.disconnect();
      await master.stop();
    }
    expect(await invariantViolations(SWEEP_MS)).toEqual([]);
    // Becoming a replica emptied Redis; Postgres still has the cart, and the shopper loses nothing.
    expect((await existing.cart()).body.cart.items[0].quantity).toBe(1);
    expect((await existing.add(productId, 1)).status).toBe(200);
  });

  it("loading its data (LOADING)", async () => {
    const existing = await shopperWithCart();
    const filler = admin(1);
    const control = admin();
    try {
      // 3,000 keys at 1 ms each: about 3 s during which Redis answers LOADING.
      const pipeline = filler.pipeline();
      for (let i = 0; i < 3_000; i += 1) pipeline.set(`fill:${i}`, "x");
      await pipeline.exec();
      await control.config("SET", "key-load-delay", "1000");
      const before = await inventory();
      const reload = control.call("DEBUG", "RELOAD");
      await new Promise((r) => setTimeout(r, 300));
      await addsWhileRefused(10, existing);
      await reload;
      expect(await inventory()).toEqual(before);
      expect(await invariantViolations(SWEEP_MS)).toEqual([]);
      expect(webLog()).toMatch(/LOADING/);
    } finally {
      await control.config("SET", "key-load-delay", "0");
      await filler.flushdb();
      filler.disconnect();
      control.disconnect();
    }
    expect((await existing.add(productId, 1)).status).toBe(200);
  });
});
