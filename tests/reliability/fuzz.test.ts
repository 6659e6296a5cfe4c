import { asc } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { inventory } from "@/lib/db/schema";
import { recordFigures } from "../support/figures";
import { invariantViolations } from "../support/invariants";
import { createProduct } from "../support/ledger";
import { WebProcess } from "../../scripts/harness/web-process";

const web = new WebProcess();
let products: number[] = [];
let cartCookie = "";
let requests = 0;
const RUNS = Number(process.env.FUZZ_RUNS ?? 75);

beforeAll(async () => {
  products = await Promise.all([createProduct(3), createProduct(50), createProduct(1_000)]);
  await web.start();
  // A shopper with a cart holding something, so changes and removals have a target.
  const response = await fetch(`${web.url}/api/cart/items`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ productId: products[1], quantity: 1 }),
  });
  cartCookie = response.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  expect(cartCookie).toMatch(/^cart=/);
});
afterAll(() => web.stop());

const stock = () => db().select().from(inventory).orderBy(asc(inventory.productId));

const id = () => fc.oneof(fc.constantFrom(...products), fc.integer(), fc.double(), fc.string(), fc.constant(null));
const quantity = fc.oneof(fc.integer({ min: -3, max: 25 }), fc.double(), fc.string(), fc.boolean(), fc.constant(null));
const jsonBody = (shape: fc.Arbitrary<unknown>) =>
  fc.oneof(
    shape.map((v) => JSON.stringify(v)),
    fc.json(),
    fc.string(),
    fc.constant(""),
    fc.string({ minLength: 5_000, maxLength: 6_000 }),
  );
const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "",
  "application/x-www-form-urlencoded",
);
const segment = () =>
  fc.oneof(
    fc.constantFrom(...products).map(String),
    fc.string().map(encodeURIComponent),
    fc.integer().map(String),
    fc.constantFrom("0", "-1", "1.5", "1e3", "99999999999", "%00", "..%2F"),
  );

type Call = { method: string; path: string; body?: string; type?: string; cookie?: boolean; admin?: boolean };

async function send(call: Call): Promise<number> {
  const headers: Record<string, string> = {};
  if (call.type) headers["content-type"] = call.type;
  if (call.cookie) headers.cookie = cartCookie;
  if (call.admin) headers.authorization = `Bearer ${process.env.ADMIN_TOKEN}`;
  requests += 1;
  const response = await fetch(`${web.url}${call.path}`, { method: call.method, headers, body: call.body });
  await response.arrayBuffer();
  return response.status;
}

/** Never a 5xx; and a refused request (4xx) leaves every stock counter as it was. */
async function holds(call: Call): Promise<void> {
  const before = await stock();
  const status = await send(call);
  expect(status, `${call.method} ${call.path} ${call.body?.slice(0, 80)}`).toBeLessThan(500);
  if (status >= 400) expect(await stock()).toEqual(before);
}

describe("fuzzing every route's inputs: never a 5xx, never a stock change from a refused request", () => {
  // Built lazily: the products they draw ids from exist only once beforeAll has run.
  const routes: [string, () => fc.Arbitrary<Call>][] = [
    [
      "POST /api/cart/items",
      () =>
        fc
          .record({
            body: jsonBody(fc.record({ productId: id(), quantity }, { requiredKeys: [] })),
            type: contentType,
            cookie: fc.boolean(),
          })
          .map((r) => ({ method: "POST", path: "/api/cart/items", ...r })),
    ],
    [
      "PATCH /api/cart/items/:productId",
      () =>
        fc
          .record({
            seg: segment(),
            body: jsonBody(fc.record({ quantity }, { requiredKeys: [] })),
            type: contentType,
            cookie: fc.boolean(),
          })
          .map(({ seg, ...r }) => ({ method: "PATCH", path: `/api/cart/items/${seg}`, ...r })),
    ],
    [
      "DELETE /api/cart/items/:productId",
      () =>
        fc
          .record({ seg: segment(), cookie: fc.boolean() })
          .map(({ seg, cookie }) => ({ method: "DELETE", path: `/api/cart/items/${seg}`, cookie })),
    ],
    [
      "POST /api/checkout",
      () =>
        fc
          .record({
            body: jsonBody(
              fc.record({ email: fc.oneof(fc.emailAddress(), fc.string()), name: fc.string() }, { requiredKeys: [] }),
            ),
            type: contentType,
          })
          .map((r) => ({ method: "POST", path: "/api/checkout", ...r })),
    ],
    [
      "POST /api/admin/products/:id/stock",
      () =>
        fc
          .record({
            seg: segment(),
            body: jsonBody(fc.record({ add: quantity }, { requiredKeys: [] })),
            type: contentType,
            admin: fc.boolean(),
          })
          .map(({ seg, ...r }) => ({ method: "POST", path: `/api/admin/products/${seg}/stock`, ...r })),
    ],
    ["GET /api/products/:slug", () => segment().map((seg) => ({ method: "GET", path: `/api/products/${seg}` }))],
    [
      "POST /api/waitlist",
      () =>
        fc
          .record({
            body: jsonBody(fc.record({ productId: id(), quantity }, { requiredKeys: [] })),
            type: contentType,
            cookie: fc.boolean(),
          })
          .map((r) => ({ method: "POST", path: "/api/waitlist", ...r })),
    ],
    [
      "DELETE /api/waitlist/:productId",
      () =>
        fc
          .record({ seg: segment(), cookie: fc.boolean() })
          .map(({ seg, cookie }) => ({ method: "DELETE", path: `/api/waitlist/${seg}`, cookie })),
    ],
  ];

  for (const [name, calls] of routes) {
    it(name, async () => {
      await fc.assert(fc.asyncProperty(calls(), holds), { numRuns: RUNS });
    });
  }

  it("POST /api/checkout with a cart holding something", async () => {
    const contact = fc.record(
      { email: fc.oneof(fc.emailAddress(), fc.string()), name: fc.string() },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(jsonBody(contact), contentType, async (body, type) => {
        const added = await fetch(`${web.url}/api/cart/items`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ productId: products[2], quantity: 1 }),
        });
        requests += 1;
        const cookie = added.headers.getSetCookie()[0]?.split(";")[0] ?? "";
        const before = await stock();
        requests += 1;
        const response = await fetch(`${web.url}/api/checkout`, {
          method: "POST",
          headers: { cookie, ...(type ? { "content-type": type } : {}) },
          body,
        });
        await response.arrayBuffer();
        expect(response.status, body.slice(0, 80)).toBeLessThan(500);
        if (response.status >= 400) expect(await stock()).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });

  it("leaves a sound ledger", async () => {
    expect(await invariantViolations(500)).toEqual([]);
    recordFigures("fuzz", { properties: routes.length + 1, runsPerProperty: RUNS, requests, violations: 0 });
  });
});
