import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushRedisDb } from "../support/services";
import { recordFigures } from "../support/figures";
import { invariantViolations } from "../support/invariants";
import { countersOf, createProduct } from "../support/ledger";
import { cookieFrom, rawRequest } from "../support/raw-client";
import { cartStoreNodes } from "../support/cart-store";
import { WebProcess } from "../../scripts/harness/web-process";
import { REDIS_DB } from "./setup";

// The defaults a store runs with: caps on, 30 new carts per client per minute, no proxy.
const limits = {
  HOLD_LIMITS: "on",
  NEW_CARTS_PER_IP_PER_MINUTE: "30",
  MAX_QTY_PER_LINE: "10",
  MAX_UNITS_PER_CART: "50",
  DATABASE_POOL_MAX: "5",
};
const direct = new WebProcess({ ...limits, TRUSTED_PROXY_HOPS: "0" });
const behindProxy = new WebProcess({ ...limits, TRUSTED_PROXY_HOPS: "1" });

beforeAll(() => Promise.all([direct.start(), behindProxy.start()]));
afterAll(() => Promise.all([direct.stop(), behindProxy.stop()]));

const add = (
  web: WebProcess,
  productId: number,
  quantity: number,
  opts: { from?: string; headers?: Record<string, string> },
) => rawRequest(`${web.url}/api/cart/items`, { method: "POST", body: { productId, quantity }, ...opts });

describe("hoarding (invariant 9)", () => {
  it("one client with 40 carts and 40 forged X-Forwarded-For values holds MAX_QTY_PER_LINE; an honest one still holds", async () => {
    const productId = await createProduct(30);
    const started = Date.now();
    const attempts = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        add(direct, productId, 1 + (i % 3), { from: "127.0.0.2", headers: { "x-forwarded-for": `10.0.0.${i}` } }),
      ),
    );
    const statuses = attempts.map((a) => a.status);
    const held = (await countersOf(productId)).reserved;
    expect(held).toBeLessThanOrEqual(10);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const refusals = attempts.filter((a) => a.status === 429).map((a) => JSON.parse(a.body).error.code as string);
    // Refused by the per-client cap, and past 30 new carts by the new-cart limit: never by stock.
    expect(refusals).toContain("hold_limit");
    expect(refusals.every((code) => code === "hold_limit" || code === "rate_limited")).toBe(true);

    // The hoarder's carts can grow no further either.
    const aCart = attempts.find((a) => a.status === 200);
    const cookie = aCart && cookieFrom(aCart, "cart");
    expect(cookie).toBeDefined();
    const more = await add(direct, productId, 1, { from: "127.0.0.2", headers: { cookie: cookie ?? "" } });
    expect(more.status).toBe(429);

    // Two honest shoppers (other addresses) hold the rest.
    expect((await add(direct, productId, 10, { from: "127.0.0.3" })).status).toBe(200);
    const rest = 30 - held - 10;
    expect((await add(direct, productId, rest, { from: "127.0.0.4" })).status).toBe(200);
    expect(await countersOf(productId)).toMatchObject({ available: 0, reserved: 30 });
    expect(await invariantViolations(1_000)).toEqual([]);
    recordFigures("hoarding", {
      attempts: attempts.length,
      forgedHeaders: 40,
      unitsHeldByOneClient: held,
      of: 30,
      ms: Date.now() - started,
      statuses: Object.fromEntries([200, 429].map((s) => [s, statuses.filter((x) => x === s).length])),
    });
  });

  it("a client gets 30 new carts a minute, whatever it forges", async () => {
    const productId = await createProduct(1_000);
    const statuses = [];
    for (let i = 0; i < 35; i += 1) {
      // One unit each, on a product of its own per cart, to stay under the unit caps: the
      // new-cart limit is what refuses here.
      const other = i < 5 ? productId : await createProduct(5);
      const r = await add(direct, other, 1, { from: "127.0.0.5", headers: { "x-forwarded-for": `10.1.0.${i}` } });
      statuses.push(r.status === 429 ? JSON.parse(r.body).error.code : r.status);
    }
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(200));
    expect(statuses.slice(30)).toEqual(Array(5).fill("rate_limited"));
  });

  it("behind one proxy (TRUSTED_PROXY_HOPS=1), clients are told apart by the entry the proxy wrote", async () => {
    const productId = await createProduct(30);
    // Both arrive from the proxy at 127.0.0.1; each forged a left-hand entry; the proxy appended the real one.
    const alice = { headers: { "x-forwarded-for": "10.9.9.9, 198.51.100.1" } };
    const bob = { headers: { "x-forwarded-for": "10.9.9.9, 198.51.100.2" } };
    expect((await add(behindProxy, productId, 10, alice)).status).toBe(200);
    expect((await add(behindProxy, productId, 10, bob)).status).toBe(200);
    const aliceAgain = await add(behindProxy, productId, 1, alice);
    expect(aliceAgain.status).toBe(429);
    expect(JSON.parse(aliceAgain.body).error.code).toBe("hold_limit");
    // A request that skipped the proxy is the proxy's own address, not the client it claims.
    expect((await add(behindProxy, productId, 10, { headers: {} })).status).toBe(200);
    expect(await countersOf(productId)).toMatchObject({ available: 0, reserved: 30 });
  });

  it("a 12 KB X-Forwarded-For never becomes a 12 KB Redis key", async () => {
    const productId = await createProduct(100);
    for (let i = 0; i < 20; i += 1) {
      await add(behindProxy, productId, 1, { headers: { "x-forwarded-for": `${"9".repeat(12_000)}${i}` } });
    }
    const keys: string[] = [];
    for (const node of cartStoreNodes()) keys.push(...(await node.keys("*")));
    expect(keys.length).toBeGreaterThan(0);
    expect(Math.max(...keys.map((k) => k.length))).toBeLessThan(100);
  });
});

afterAll(() => flushRedisDb(REDIS_DB));
