import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateProductSettings } from "@/lib/catalog/product-settings";
import { countersOf, createProduct } from "../support/ledger";
import { scrape, value } from "../support/prometheus";
import { cookieFrom, rawRequest } from "../support/raw-client";
import { waitFor } from "../support/wait-for";
import { loopbackAddress, openStockStream, type StockStream } from "../../scripts/harness/stock-streams";
import { WebProcess } from "../../scripts/harness/web-process";

// The door answers what it already knows a route would refuse (lib/http/door/known-refusals.ts):
// a client at its stream cap opening another, a client whose new carts are refused for the rest of
// the minute asking for one more. Its counter says it, not the route, answered: the answers are
// the same. One process, so the stream cap (per process) is the client's; no rate limit in the way.
const STREAM_CAP = 2;
const NEW_CARTS = 2;
const web = new WebProcess({
  WEB_CONCURRENCY: "1",
  RATE_LIMIT_PER_SECOND: "0",
  MAX_STREAMS_PER_CLIENT: String(STREAM_CAP),
  NEW_CARTS_PER_IP_PER_MINUTE: String(NEW_CARTS),
});

beforeAll(() => web.start());
afterAll(() => web.stop());

let clients = 0;
const newClient = () => loopbackAddress(600 + clients++);
const auth = { authorization: `Bearer ${process.env.ADMIN_TOKEN}` };
const doorRefused = async (reason: string) =>
  value(await scrape(`${web.url}/api/metrics`, auth), "holdcart_door_refusals_total", { reason });

describe("refusals the door knows before Next runs", () => {
  it("a client at its stream cap is refused at the door (429, Retry-After); another client, and the same one after closing a stream, are served", async () => {
    const productId = await createProduct(5);
    const client = newClient();
    const open: StockStream[] = [];
    try {
      for (let i = 0; i < STREAM_CAP; i += 1)
        open.push(await openStockStream(web.url, [productId], { localAddress: client }));
      expect(open.map((s) => s.status)).toEqual(Array(STREAM_CAP).fill(200));
      const before = await doorRefused("stream_cap");
      for (let i = 0; i < 3; i += 1) {
        const refused = await openStockStream(web.url, [productId], { localAddress: client });
        expect(refused.status).toBe(429);
        expect(refused.header("retry-after")).toBe("5");
        expect(JSON.parse(await refused.text()).error.code).toBe("rate_limited");
      }
      expect(await doorRefused("stream_cap")).toBe(before + 3);

      const other = await openStockStream(web.url, [productId], { localAddress: newClient() });
      expect(other.status).toBe(200);
      other.close();
      open.shift()?.close();
      // The slot comes back when the server sees the stream end.
      await waitFor(
        async () => {
          const again = await openStockStream(web.url, [productId], { localAddress: client });
          if (again.status === 200) open.push(again);
          else again.close();
          return again.status === 200;
        },
        { timeout: 10_000, interval: 100, what: "a stream of the client again" },
      );
    } finally {
      open.forEach((s) => s.close());
    }
  });

  it("once the route refused a client's new cart, the door refuses its next ones until the minute has room; its own cart still takes adds", async () => {
    const productId = await createProduct(20);
    const bot = newClient();
    const add = (cookie?: string) =>
      rawRequest(`${web.url}/api/cart/items`, {
        method: "POST",
        body: { productId, quantity: 1 },
        from: bot,
        headers: cookie ? { cookie } : {},
      });
    const started = [];
    for (let i = 0; i < NEW_CARTS; i += 1) started.push(await add());
    expect(started.map((a) => a.status)).toEqual(Array(NEW_CARTS).fill(200));
    const before = await doorRefused("new_carts");

    const byRoute = await add();
    expect(byRoute.status).toBe(429);
    expect(await doorRefused("new_carts")).toBe(before); // the route's refusal: the door did not know yet
    const byDoor = [await add(), await add(), await add(`cart=${"0".repeat(36)}.forged`)];
    expect(await doorRefused("new_carts")).toBe(before + 3);
    for (const refused of [byRoute, ...byDoor]) {
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body).error).toMatchObject({ code: "rate_limited" });
      const retryAfter = Number(refused.headers["retry-after"]);
      expect(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`).toBe(true);
    }

    // With the cart it has, the same client's add goes to the route and is held.
    const own = await add(cookieFrom(started[0]!, "cart"));
    expect(own.status).toBe(200);
    expect(await doorRefused("new_carts")).toBe(before + 3);
    // Two new carts of one unit, and a second unit in the first: nothing else was held.
    expect((await countersOf(productId)).reserved).toBe(NEW_CARTS + 1);
    // Another client starts a cart as usual.
    expect(
      (
        await rawRequest(`${web.url}/api/cart/items`, {
          method: "POST",
          body: { productId, quantity: 1 },
          from: newClient(),
        })
      ).status,
    ).toBe(200);
  });

  it("an add to a new cart of a product the process knows is sold out is refused at the door, with the route's answer; other adds reach the route with their bodies whole", async () => {
    const soldOut = await createProduct(1);
    const inStock = await createProduct(50);
    const add = (productId: number, headers: Record<string, string> = {}) =>
      rawRequest(`${web.url}/api/cart/items`, {
        method: "POST",
        body: { productId, quantity: 1 },
        from: newClient(),
        headers,
      });
    const holder = await add(soldOut);
    expect(holder.status).toBe(200);
    const expected = {
      code: "insufficient_stock",
      message: "All of them are in other shoppers' carts right now. They come back if a hold ends.",
      available: 0,
      reserved: 1,
    };
    // The route's refusal teaches the process that the product is sold out until its hold ends
    // (at most a second); the next add to a new cart meets the door. On a slow machine the second
    // may pass first, so the three requests are tried until one round shows it.
    const round = async () => {
      const before = await doorRefused("sold_out");
      const taught = await add(soldOut);
      const byDoor = await add(soldOut);
      const afterDoor = await doorRefused("sold_out");
      // While the door knows a product sold out it reads every new cart's add, and gives it back.
      const held = await add(inStock);
      const crossSite = await add(soldOut, { origin: "https://elsewhere.example" });
      const withCart = await add(soldOut, { cookie: cookieFrom(holder, "cart") ?? "" });
      const last = await doorRefused("sold_out");
      return afterDoor === before + 1 && last === afterDoor && { taught, byDoor, held, crossSite, withCart };
    };
    const seen = await waitFor(round, { timeout: 30_000, interval: 0, what: "a round with the door's refusal" });
    expect(seen.taught.status).toBe(409);
    expect(seen.byDoor.status).toBe(409);
    expect(JSON.parse(seen.byDoor.body).error).toEqual(expected);
    expect(seen.held.status).toBe(200);
    expect(JSON.parse(seen.held.body).cart.items).toEqual([
      expect.objectContaining({ productId: inStock, quantity: 1 }),
    ]);
    // The route's own refusals: cross-site first (403), and a cart's add is the route's to judge.
    expect(JSON.parse(seen.crossSite.body).error.code).toBe("forbidden");
    expect(seen.withCart.status).toBe(409);
    expect(JSON.parse(seen.withCart.body).error.code).toBe("insufficient_stock");
    // Nothing the door answered was held.
    expect(await countersOf(soldOut)).toMatchObject({ available: 0, reserved: 1 });
  });

  it("an add to a new cart of a drop not yet open is refused at the door, with the route's answer", async () => {
    const productId = await createProduct(10);
    const releaseAt = new Date(Date.now() + 3_600_000);
    await updateProductSettings(productId, { releaseAt });
    const add = () =>
      rawRequest(`${web.url}/api/cart/items`, { method: "POST", body: { productId, quantity: 1 }, from: newClient() });
    // As above: the route's refusal teaches the process, for a second at most.
    const round = async () => {
      const before = await doorRefused("not_released");
      const taught = await add();
      const byDoor = await add();
      return (await doorRefused("not_released")) === before + 1 && { taught, byDoor };
    };
    const seen = await waitFor(round, { timeout: 30_000, interval: 0, what: "a round with the door's refusal" });
    expect(seen.byDoor.status).toBe(409);
    expect(JSON.parse(seen.byDoor.body)).toEqual(JSON.parse(seen.taught.body));
    expect(JSON.parse(seen.byDoor.body).error).toMatchObject({
      code: "not_released",
      releaseAt: releaseAt.toISOString(),
    });
    expect(await countersOf(productId)).toMatchObject({ available: 10, reserved: 0 });
  });
});
