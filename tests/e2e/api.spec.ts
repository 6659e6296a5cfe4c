import { expect, test, type APIRequestContext } from "@playwright/test";
import { ADMIN_TOKEN } from "../../playwright.config";
import { countersOf, expectConserved, inventory, type InventoryReport } from "./support";

const TOTE = "canvas-tote-bag";

async function productId(request: APIRequestContext, slug: string): Promise<number> {
  const response = await request.get(`/api/products/${slug}`);
  return ((await response.json()) as { product: { id: number } }).product.id;
}

test.describe("the cart API", () => {
  test("add, read, change, remove and empty, as docs/api.md's table says", async ({ playwright, baseURL }) => {
    const shopper = await playwright.request.newContext({ baseURL });
    const id = await productId(shopper, TOTE);
    const start = await countersOf(shopper, TOTE);

    const empty = await shopper.get("/api/cart");
    expect(empty.status()).toBe(200);
    expect(await empty.json()).toEqual({
      cart: { items: [], subtotalCents: 0, expiresAt: null, ttlMs: null, extensionsLeft: null },
    });
    expect(empty.headers()["set-cookie"]).toBeUndefined(); // never a cookie on a plain visit

    const added = await shopper.post("/api/cart/items", { data: { productId: id, quantity: 2 } });
    expect(added.status()).toBe(200);
    const setCookie = added.headers()["set-cookie"] ?? "";
    expect(setCookie).toMatch(/^cart=[0-9a-f-]{36}\.[\w-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=lax/i);
    expect(setCookie).toMatch(/Path=\//);
    const { cart } = (await added.json()) as {
      cart: { items: unknown[]; subtotalCents: number; ttlMs: number; expiresAt: string };
    };
    expect(cart.items).toEqual([
      {
        productId: id,
        slug: TOTE,
        name: "Canvas Tote Bag",
        imageUrl: `/products/${TOTE}.svg`,
        quantity: 2,
        unitPriceCents: 900,
      },
    ]);
    expect(cart.subtotalCents).toBe(1800);
    expect(cart.ttlMs).toBeGreaterThan(100_000);
    expect(Date.parse(cart.expiresAt)).toBeGreaterThan(Date.now());
    expect((await countersOf(shopper, TOTE)).available).toBe(start.available - 2);

    const patched = await shopper.patch(`/api/cart/items/${id}`, { data: { quantity: 5 } });
    expect(patched.status()).toBe(200);
    expect((await countersOf(shopper, TOTE)).available).toBe(start.available - 5);

    const removed = await shopper.delete(`/api/cart/items/${id}`);
    expect(((await removed.json()) as { cart: { items: unknown[] } }).cart.items).toEqual([]);
    expect((await countersOf(shopper, TOTE)).available).toBe(start.available);

    await shopper.post("/api/cart/items", { data: { productId: id, quantity: 1 } });
    const emptied = await shopper.delete("/api/cart");
    expect(emptied.status()).toBe(200);
    expect((await countersOf(shopper, TOTE)).available).toBe(start.available);
    expect(((await (await shopper.get("/api/cart")).json()) as { cart: { items: unknown[] } }).cart.items).toEqual([]);
    expectConserved(await inventory(shopper));
    await shopper.dispose();
  });

  test("asking for more than is left: 409 insufficient_stock with the number available", async ({ request }) => {
    const print = await countersOf(request, "limited-edition-art-print");
    const response = await request.post("/api/cart/items", {
      data: { productId: print.id, quantity: print.available + 1 },
    });
    expect(response.status()).toBe(409);
    expect(await response.json()).toEqual({
      error: { code: "insufficient_stock", message: expect.any(String), available: print.available, reserved: 0 },
    });
  });

  test("keeping a hold longer: 200 with a later expiresAt and a cookie that outlives it; 404 with no cart; 403 cross-site", async ({
    playwright,
    baseURL,
  }) => {
    const shopper = await playwright.request.newContext({ baseURL });
    expect((await shopper.post("/api/cart/extend")).status()).toBe(404);
    const id = await productId(shopper, TOTE);
    const added = (await (await shopper.post("/api/cart/items", { data: { productId: id, quantity: 1 } })).json()) as {
      cart: { expiresAt: string };
    };
    const before = await countersOf(shopper, TOTE);
    const crossSite = await shopper.post("/api/cart/extend", { headers: { "sec-fetch-site": "cross-site" } });
    expect(crossSite.status()).toBe(403);

    const extended = await shopper.post("/api/cart/extend");
    expect(extended.status()).toBe(200);
    const { cart } = (await extended.json()) as { cart: { expiresAt: string; items: unknown[] } };
    expect(Date.parse(cart.expiresAt)).toBeGreaterThan(Date.parse(added.cart.expiresAt));
    expect(cart.items).toHaveLength(1);
    expect(extended.headers()["set-cookie"] ?? "").toMatch(/^cart=/);
    expect((await (await shopper.get("/api/cart")).json()).cart.expiresAt).toBe(cart.expiresAt);
    expect(await countersOf(shopper, TOTE)).toEqual(before);
    await shopper.delete("/api/cart");
  });

  test("health and catalog answer as the contract says", async ({ request }) => {
    const health = await request.get("/api/health");
    expect(health.status()).toBe(200);
    expect(await health.json()).toMatchObject({ redis: "ok", postgres: "ok" });
    const products = ((await (await request.get("/api/products")).json()) as { products: Record<string, unknown>[] })
      .products;
    expect(products.length).toBe(13);
    expect(Object.keys(products[0] ?? {}).sort()).toEqual([
      "available",
      "id",
      "imageUrl",
      "name",
      "nextReleaseAt",
      "perShopperLimit",
      "priceCents",
      "releaseAt",
      "reserved",
      "slug",
      "variants",
      "waiting",
    ]);
    // A product sold as one thing is its own single variant, with its own figures; the shoe comes
    // in sizes, each its own stock, and its figures are theirs summed.
    const shoe = products.find((p) => p.slug === "trail-running-shoe");
    const sizes = shoe?.variants as { option: string; available: number }[];
    expect(sizes.map((v) => v.option)).toEqual(["EU 41", "EU 42", "EU 43", "EU 44"]);
    expect(shoe?.available).toBe(sizes.reduce((sum, v) => sum + v.available, 0));
    for (const p of products.filter((p) => p !== shoe)) {
      expect(p.variants).toEqual([
        {
          id: p.id,
          option: null,
          priceCents: p.priceCents,
          available: p.available,
          reserved: p.reserved,
          waiting: p.waiting,
          nextReleaseAt: p.nextReleaseAt,
          releaseAt: p.releaseAt,
          perShopperLimit: p.perShopperLimit,
        },
      ]);
    }
    // No product of the seeded shop has a limit of its own: MAX_QTY_PER_LINE applies.
    expect(products.every((p) => p.perShopperLimit === 10)).toBe(true);
    expect((await request.get("/api/products/nope")).status()).toBe(404);
  });
});

type Case = {
  name: string;
  method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT";
  path: string | ((id: number) => string);
  headers?: Record<string, string>;
  body?: string;
  status: number;
  code?: string;
};

const json = { "content-type": "application/json" };
const forged = "cart=00000000-0000-0000-0000-000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

const badInputs: Case[] = [
  {
    name: "malformed JSON",
    method: "POST",
    path: "/api/cart/items",
    headers: json,
    body: '{"productId":',
    status: 400,
    code: "invalid_request",
  },
  {
    name: "wrong types",
    method: "POST",
    path: "/api/cart/items",
    headers: json,
    body: '{"productId":"1","quantity":"2"}',
    status: 400,
  },
  {
    name: "quantity 0",
    method: "POST",
    path: "/api/cart/items",
    headers: json,
    body: '{"productId":ID,"quantity":0}',
    status: 400,
    code: "invalid_quantity",
  },
  {
    name: "negative quantity",
    method: "POST",
    path: "/api/cart/items",
    headers: json,
    body: '{"productId":ID,"quantity":-3}',
    status: 400,
    code: "invalid_quantity",
  },
  {
    name: "fractional quantity",
    method: "POST",
    path: "/api/cart/items",
    headers: json,
    body: '{"productId":ID,"quantity":1.5}',
    status: 400,
    code: "invalid_quantity",
  },
  {
    name: "huge quantity",
    method: "POST",
    path: "/api/cart/items",
    headers: json,
    body: '{"productId":ID,"quantity":1e308}',
    status: 400,
    code: "invalid_quantity",
  },
  {
    name: "quantity over the line limit",
    method: "POST",
    path: "/api/cart/items",
    headers: json,
    body: '{"productId":ID,"quantity":11}',
    status: 400,
    code: "invalid_quantity",
  },
  {
    name: "unknown product",
    method: "POST",
    path: "/api/cart/items",
    headers: json,
    body: '{"productId":999999,"quantity":1}',
    status: 404,
    code: "unknown_product",
  },
  {
    name: "product id 0",
    method: "POST",
    path: "/api/cart/items",
    headers: json,
    body: '{"productId":0,"quantity":1}',
    status: 400,
  },
  {
    name: "extra fields",
    method: "POST",
    path: "/api/cart/items",
    headers: json,
    body: '{"productId":ID,"quantity":1,"priceCents":1}',
    status: 400,
  },
  {
    name: "JSON that is not an object",
    method: "POST",
    path: "/api/cart/items",
    headers: json,
    body: "[1,2]",
    status: 400,
  },
  { name: "empty body", method: "POST", path: "/api/cart/items", headers: json, body: "", status: 400 },
  {
    name: "oversize body",
    method: "POST",
    path: "/api/cart/items",
    headers: json,
    body: `{"productId":ID,"quantity":1,"pad":"${"x".repeat(10_000)}"}`,
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "wrong content type",
    method: "POST",
    path: "/api/cart/items",
    headers: { "content-type": "text/plain" },
    body: '{"productId":ID,"quantity":1}',
    status: 415,
    code: "unsupported_media_type",
  },
  {
    name: "form-encoded body",
    method: "POST",
    path: "/api/cart/items",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "productId=1&quantity=1",
    status: 415,
  },
  {
    name: "wrong method on items",
    method: "PUT",
    path: "/api/cart/items",
    headers: json,
    body: '{"productId":ID,"quantity":1}',
    status: 405,
  },
  { name: "wrong method on products", method: "POST", path: "/api/products", headers: json, body: "{}", status: 405 },
  {
    name: "malformed product id in the path",
    method: "PATCH",
    path: "/api/cart/items/abc",
    headers: json,
    body: '{"quantity":1}',
    status: 400,
    code: "invalid_request",
  },
  { name: "out-of-range product id in the path", method: "DELETE", path: "/api/cart/items/99999999999", status: 400 },
  {
    name: "tampered cookie, change a line",
    method: "PATCH",
    path: (id) => `/api/cart/items/${id}`,
    headers: { ...json, cookie: forged },
    body: '{"quantity":1}',
    status: 404,
    code: "cart_not_found",
  },
  {
    name: "unsigned cookie, remove a line",
    method: "DELETE",
    path: (id) => `/api/cart/items/${id}`,
    headers: { cookie: "cart=00000000-0000-0000-0000-000000000000" },
    status: 404,
    code: "cart_not_found",
  },
  {
    name: "cross-site origin",
    method: "POST",
    path: "/api/cart/items",
    headers: { ...json, origin: "https://evil.example" },
    body: '{"productId":ID,"quantity":1}',
    status: 403,
    code: "forbidden",
  },
  {
    name: "cross-site fetch metadata",
    method: "DELETE",
    path: "/api/cart",
    headers: { "sec-fetch-site": "cross-site" },
    status: 403,
    code: "forbidden",
  },
  {
    name: "opaque origin",
    method: "POST",
    path: "/api/cart/items",
    headers: { ...json, origin: "null" },
    body: '{"productId":ID,"quantity":1}',
    status: 403,
  },
  { name: "admin without a token", method: "GET", path: "/api/admin/inventory", status: 401, code: "unauthorized" },
  {
    name: "admin with a wrong token",
    method: "POST",
    path: (id) => `/api/admin/products/${id}/stock`,
    headers: { ...json, authorization: "Bearer nope" },
    body: '{"add":5}',
    status: 401,
  },
  {
    name: "admin stock with a negative add",
    method: "POST",
    path: (id) => `/api/admin/products/${id}/stock`,
    headers: { ...json, authorization: `Bearer ${ADMIN_TOKEN}` },
    body: '{"add":-5}',
    status: 400,
  },
  {
    name: "admin stock for an unknown product",
    method: "POST",
    path: "/api/admin/products/999999/stock",
    headers: { ...json, authorization: `Bearer ${ADMIN_TOKEN}` },
    body: '{"add":5}',
    status: 404,
  },
  ...[
    ["a per-shopper limit of 0", '{"perShopperLimit":0}'],
    ["a per-shopper limit past MAX_QTY_PER_LINE", '{"perShopperLimit":11}'],
    ["a per-shopper limit that is not a whole number", '{"perShopperLimit":1.5}'],
    ["a field it does not know", '{"perShopperLimit":1,"price":1}'],
  ].map(([what, body]): Case => ({
    name: `admin product with ${what}`,
    method: "PATCH",
    path: (id: number) => `/api/admin/products/${id}`,
    headers: { ...json, authorization: `Bearer ${ADMIN_TOKEN}` },
    body,
    status: 400,
  })),
  {
    name: "admin product without the token",
    method: "PATCH",
    path: (id) => `/api/admin/products/${id}`,
    headers: json,
    body: '{"perShopperLimit":1}',
    status: 401,
  },
  {
    name: "admin product for an unknown product",
    method: "PATCH",
    path: "/api/admin/products/999999",
    headers: { ...json, authorization: `Bearer ${ADMIN_TOKEN}` },
    body: '{"perShopperLimit":1}',
    status: 404,
  },
];

/**
 * What a refused request must leave as it was: every product's stock received and sold (nothing
 * created, removed, restocked or bought), and all of the named product's counters. Another
 * product's units may move between held and available meanwhile: an earlier test's hold ends by
 * itself at its deadline.
 */
const ledgerOf = (report: InventoryReport, named: number) =>
  report.products.map((p) => (p.id === named ? p : { id: p.id, slug: p.slug, onHand: p.onHand, sold: p.sold }));

test.describe("bad input: a clear 4xx, the JSON error shape, and the ledger unchanged", () => {
  for (const c of badInputs) {
    test(c.name, async ({ request }) => {
      const id = await productId(request, TOTE);
      const before = await inventory(request);
      const path = typeof c.path === "function" ? c.path(id) : c.path;
      const response = await request.fetch(path, {
        method: c.method,
        headers: c.headers,
        data: c.body?.replaceAll("ID", String(id)),
        maxRedirects: 0,
      });
      expect(response.status()).toBe(c.status);
      if (c.status !== 405) {
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(typeof body.error.message).toBe("string");
        expect(body.error.message).not.toMatch(/at .*\.(js|ts):\d+/); // no stack trace
        if (c.code) expect(body.error.code).toBe(c.code);
      }
      expect(response.headers()["set-cookie"]).toBeUndefined();
      expect(ledgerOf(await inventory(request), id)).toEqual(ledgerOf(before, id));
    });
  }
});

test("the operator sets a product's limit per shopper and lifts it; the product says which applies", async ({
  request,
}) => {
  const id = await productId(request, TOTE);
  const admin = { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` };
  // MAX_QTY_PER_LINE (10) itself, so the shoppers of the other tests see no change.
  const set = await request.patch(`/api/admin/products/${id}`, { headers: admin, data: { perShopperLimit: 10 } });
  expect(set.status()).toBe(200);
  expect(((await set.json()) as { product: { perShopperLimit: number } }).product.perShopperLimit).toBe(10);
  const lifted = await request.patch(`/api/admin/products/${id}`, { headers: admin, data: { perShopperLimit: null } });
  expect(lifted.status()).toBe(200);
  const shown = (await (await request.get(`/api/products/${TOTE}`)).json()) as { product: { perShopperLimit: number } };
  expect(shown.product.perShopperLimit).toBe(10);
});
