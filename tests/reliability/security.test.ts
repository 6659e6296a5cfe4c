import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordFigures } from "../support/figures";
import { countersOf, createProduct } from "../support/ledger";
import { Shopper } from "../support/shopper";
import { WebProcess } from "../../scripts/harness/web-process";
import { loopbackAddress } from "../../scripts/harness/stock-streams";
import { rawRequest } from "../support/raw-client";

const web = new WebProcess();
let productId = 0;
let attempts = 0;

beforeAll(async () => {
  productId = await createProduct(20);
  await web.start();
});
afterAll(() => web.stop());

async function raw(path: string, init: RequestInit = {}): Promise<Response> {
  attempts += 1;
  return fetch(`${web.url}${path}`, { redirect: "manual", ...init });
}

describe("security", () => {
  it("a forged cart cookie reaches no one's cart", async () => {
    const victim = new Shopper(web.url);
    await victim.add(productId, 2);
    const [cartId, mac] = (victim.cookies.get("cart") ?? "").split(".") as [string, string];
    expect(cartId).toMatch(/^[0-9a-f-]{36}$/);
    const forgeries = [
      `cart=${cartId}`, // the id alone
      `cart=${cartId}.${mac.slice(0, -2)}AA`, // a tampered signature
      `cart=${cartId}.${"A".repeat(43)}`, // a made-up one
      `cart=${cartId.replace(/.$/, (c) => (c === "0" ? "1" : "0"))}.${mac}`, // a neighbour's id, the victim's signature
    ];
    for (const forged of forgeries) {
      const read = await raw("/api/cart", { headers: { cookie: forged } });
      expect((await read.json()).cart.items).toEqual([]);
      const change = await raw(`/api/cart/items/${productId}`, {
        method: "PATCH",
        headers: { cookie: forged, "content-type": "application/json" },
        body: JSON.stringify({ quantity: 10 }),
      });
      expect(change.status).toBe(404);
      const checkout = await raw("/api/checkout", {
        method: "POST",
        headers: { cookie: forged, "content-type": "application/json" },
        body: JSON.stringify({ email: "eve@example.com", name: "Eve" }),
      });
      expect(checkout.status).toBeGreaterThanOrEqual(400);
      expect(checkout.status).toBeLessThan(500);
    }
    expect((await victim.cart()).body.cart.items[0].quantity).toBe(2);
    expect(await countersOf(productId)).toMatchObject({ reserved: 2, sold: 0 });
  });

  it("cross-site writes are refused and change nothing", async () => {
    const shopper = new Shopper(web.url);
    await shopper.add(productId, 1);
    const before = await countersOf(productId);
    const cookie = `cart=${shopper.cookies.get("cart")}`;
    const crossSite: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
      { origin: "null" },
    ];
    for (const headers of crossSite) {
      for (const [method, path, body] of [
        ["POST", "/api/cart/items", { productId, quantity: 1 }],
        ["PATCH", `/api/cart/items/${productId}`, { quantity: 5 }],
        ["DELETE", `/api/cart/items/${productId}`, undefined],
        ["DELETE", "/api/cart", undefined],
        ["POST", "/api/checkout", { email: "a@b.co", name: "A" }],
      ] as const) {
        const response = await raw(path, {
          method,
          headers: { cookie, "content-type": "application/json", ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        expect(response.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
      }
    }
    expect(await countersOf(productId)).toEqual(before);
  });

  it("admin routes need the exact token", async () => {
    for (const authorization of [
      undefined,
      "Bearer",
      "Bearer wrong",
      `Basic ${process.env.ADMIN_TOKEN}`,
      `Bearer ${process.env.ADMIN_TOKEN}x`,
    ]) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (authorization) headers.authorization = authorization;
      expect((await raw("/api/admin/inventory", { headers })).status).toBe(401);
      const restock = await raw(`/api/admin/products/${productId}/stock`, {
        method: "POST",
        headers,
        body: JSON.stringify({ add: 1000 }),
      });
      expect(restock.status).toBe(401);
    }
    expect((await countersOf(productId)).onHand).toBe(20);
    const ok = await raw("/api/admin/inventory", { headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}` } });
    expect(ok.status).toBe(200);
  });

  it("an order page opened by someone else is not found", async () => {
    const buyer = new Shopper(web.url);
    await buyer.add(productId, 1);
    const placed = await buyer.checkout();
    expect(placed.status).toBe(201);
    const orderId = placed.body.order.id as string;
    const own = buyer.cookies.get("orders");
    const mine = await raw(`/orders/${orderId}`, { headers: { cookie: `orders=${own}` } });
    expect(mine.status).toBe(200);
    expect(await mine.text()).toContain("Thank you");
    const theirs = await raw(`/orders/${orderId}`);
    expect(theirs.status).toBe(404);
    expect(await theirs.text()).not.toContain("Thank you");
    const forged = await raw(`/orders/${orderId}`, { headers: { cookie: `orders=${orderId}.${"A".repeat(43)}` } });
    expect(forged.status).toBe(404);
    recordFigures("security", { attempts, violations: 0 });
  });

  it("errors never carry a stack trace", async () => {
    const response = await raw("/api/cart/items", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    const text = await response.text();
    expect(text).not.toMatch(/\bat .+\.(js|ts|mjs):\d+/);
    expect(text).not.toMatch(/node_modules|SyntaxError/);
  });

  it("guessing the admin token: 10 wrong tries, then 429 with Retry-After for that client, whatever it sends; other clients unaffected", async () => {
    const guesser = loopbackAddress(950);
    const admin = (token: string, from: string) =>
      rawRequest(`${web.url}/api/admin/inventory`, { headers: { authorization: `Bearer ${token}` }, from });
    const started = performance.now();
    const answers: number[] = [];
    for (let i = 0; i < 30; i += 1) answers.push((await admin(`guess-${i}-${"x".repeat(30)}`, guesser)).status);
    const perSecond = Math.round((30 / (performance.now() - started)) * 1000);
    expect(answers.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(answers.slice(10)).toEqual(Array(20).fill(429));
    // Locked out: even the right token is refused, so a guess can no longer be told right from wrong.
    const right = await admin(process.env.ADMIN_TOKEN as string, guesser);
    expect(right.status).toBe(429);
    expect(Number(right.headers["retry-after"])).toBeGreaterThan(60);
    expect(JSON.parse(right.body).error.code).toBe("rate_limited");
    expect((await admin(process.env.ADMIN_TOKEN as string, loopbackAddress(951))).status).toBe(200);
    // Each failure is logged with its client.
    expect(web.output.join("").split('"event":"admin_auth_failed"').length - 1).toBeGreaterThanOrEqual(10);
    recordFigures("admin-guessing", { triedPerSecond: perSecond, wrongAnswered401: 10 });
  });

  it("an absolute-form request line is answered for this host only; a client's X-Forwarded-Host is not believed", async () => {
    const requestLine = (target: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(web.port, "127.0.0.1", () =>
          socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\nConnection: close\r\n\r\n`),
        );
        let received = "";
        socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
        socket.on("close", () => resolve(received));
      });
    const elsewhere = await requestLine("http://evil.example/x");
    expect(elsewhere).toMatch(/^HTTP\/1\.1 400/);
    expect(elsewhere).not.toMatch(/location: http:\/\/evil/i);
    expect(await requestLine(`http://127.0.0.1:${web.port}/api/health/live`)).toMatch(/^HTTP\/1\.1 200/);
    const forged = await raw("/api/cart/items", {
      method: "POST",
      headers: { origin: "http://evil", "x-forwarded-host": "evil", "content-type": "application/json" },
      body: JSON.stringify({ productId, quantity: 1 }),
    });
    expect(forged.status).toBe(403);
  });
});
