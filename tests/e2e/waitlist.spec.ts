import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN_TOKEN, servers } from "../../playwright.config";
import { countersOf, expectConserved, inventory } from "./support";

// The waiting line: units that come back go to the next shopper in line, as a hold in their cart,
// shown on whatever page they have open. This server holds carts for 8 seconds.
const base = `http://localhost:${servers.short.port}`;

async function expectAccessible(page: Page, what: string): Promise<void> {
  // After an action the page is re-rendered and its <title> streams in with the new render (Next's
  // streaming metadata): judged once it is there, as a shopper's tab shows it a moment later.
  await expect(page).toHaveTitle(/\S/);
  const { violations } = await new AxeBuilder({ page }).analyze();
  const grave = violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
  expect(grave, what).toEqual([]);
}

async function idOf(request: import("@playwright/test").APIRequestContext, slug: string): Promise<number> {
  return ((await (await request.get(`${base}/api/products/${slug}`)).json()) as { product: { id: number } }).product.id;
}

test("the waiter, on the catalog, sees the offer and the header countdown appear without reload, and checks out", async ({
  browser,
}) => {
  test.setTimeout(60_000);
  const holder = await (await browser.newContext({ baseURL: base })).newPage();
  const waiter = await (await browser.newContext({ baseURL: base })).newPage();
  const print = await countersOf(holder.request, "limited-edition-art-print", base);
  expect(print.available).toBe(1);
  const productId = await idOf(holder.request, "limited-edition-art-print");
  // The waiter's catalog is open before the hold: its card turns to the line by itself.
  await waiter.goto("/");
  const card = waiter.getByRole("listitem").filter({ hasText: "Limited-Edition Art Print" });
  const held = await holder.request.post("/api/cart/items", { data: { productId, quantity: 1 } });
  expect(held.status()).toBe(200);
  // The holder is not offered the line for its own unit (it would come back to them).
  await holder.goto("/products/limited-edition-art-print");
  await expect(holder.getByTestId("stock")).toHaveText("The last one is in your cart.");
  await expect(holder.getByRole("button", { name: /Join the line/ })).toHaveCount(0);

  // Holds here last 8 s, and a busy machine can take that long over the page loads above: the
  // holder keeps the unit once, so the waiter joins while it is held, not after it came back.
  expect((await holder.request.post("/api/cart/extend")).status()).toBe(200);
  await card.getByRole("button", { name: "Join the line for Limited-Edition Art Print, you'd be 1st" }).click();
  await expect(card.getByTestId("in-line")).toContainText("You're 1st in line");
  await expect(waiter.getByRole("timer")).toHaveCount(0);
  await expectAccessible(waiter, "catalog with a place in line");

  // The holder's time runs out: the unit is the waiter's, on the page they have open.
  const offer = waiter.getByTestId("offers");
  await expect(offer).toContainText("The Limited-Edition Art Print you waited for is held for you", {
    timeout: 15_000,
  });
  await expect(waiter.getByRole("timer")).toBeVisible();
  await expect(waiter.getByTestId("cart-count")).toHaveText("1");
  expect((await countersOf(holder.request, "limited-edition-art-print", base)).available).toBe(0);
  await expectAccessible(waiter, "catalog with an offer");

  await offer.getByRole("link", { name: "Check out now" }).click();
  await waiter.getByLabel("E-mail").fill("waiter@example.com");
  await waiter.getByLabel("Name", { exact: true }).fill("Patient Pat");
  await waiter.getByRole("button", { name: "Place order" }).click();
  await expect(waiter.getByRole("heading", { name: "Thank you, Patient Pat!" })).toBeVisible();
  const after = await countersOf(holder.request, "limited-edition-art-print", base);
  expect(after).toMatchObject({ available: 0, reserved: 0, sold: print.sold + 1 });
  expectConserved(await inventory(holder.request, base));
});

test("a waiter whose live stream is refused hears of the offer by the long poll of the line, without reload", async ({
  browser,
}) => {
  test.setTimeout(60_000);
  const holder = await (await browser.newContext({ baseURL: base })).newPage();
  const waiter = await (await browser.newContext({ baseURL: base })).newPage();
  // A product of its own (archived at the end, so the catalog stays as seeded), one unit.
  const admin = { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` };
  const slug = `e2e-poster-${Date.now().toString(36)}`;
  const created = await holder.request.post("/api/admin/products", {
    headers: admin,
    data: { slug, name: "Long Poll Poster", priceCents: 2_500, variants: [{ stock: 1 }] },
  });
  expect(created.status()).toBe(201);
  const { product } = (await created.json()) as { product: { id: number } };
  try {
    // Every stream this page opens is refused, as past the client's stream cap.
    let streamsRefused = 0;
    await waiter.route("**/api/stock/stream**", (route) => {
      streamsRefused += 1;
      return route.fulfill({ status: 429, headers: { "retry-after": "10" }, body: "" });
    });
    expect(
      (await holder.request.post("/api/cart/items", { data: { productId: product.id, quantity: 1 } })).status(),
    ).toBe(200);
    expect((await holder.request.post("/api/cart/extend")).status()).toBe(200);
    await waiter.goto(`/products/${slug}`);
    const longPoll = waiter.waitForRequest((r) => r.url().includes("/api/waitlist?wait="));
    await waiter.getByRole("button", { name: "Join the line for Long Poll Poster, you'd be 1st" }).click();
    await expect(waiter.getByTestId("in-line")).toContainText("You're 1st in line");
    await longPoll;
    expect(streamsRefused).toBeGreaterThan(0);
    // The holder's time runs out: the page learns of the offer from its long poll, not a reload.
    const loads: string[] = [];
    waiter.on("load", () => loads.push(waiter.url()));
    await expect(waiter.getByTestId("offers")).toContainText("The Long Poll Poster you waited for is held for you", {
      timeout: 30_000,
    });
    await expect(waiter.getByTestId("cart-count")).toHaveText("1");
    expect(loads).toEqual([]);
  } finally {
    await holder.request.patch(`/api/admin/products/${product.id}`, { headers: admin, data: { archived: true } });
  }
});

test("without JavaScript: join the line, and the open page shows the offer by itself; check out", async ({
  browser,
}) => {
  test.setTimeout(60_000);
  const operator = (await browser.newContext({ baseURL: base })).request;
  const waiter = await (await browser.newContext({ baseURL: base, javaScriptEnabled: false })).newPage();
  // A product of its own, sold out, that a restock brings back: no hold's 8 s to race on a busy
  // machine (CI once saw a hold end before the form's join arrived, and the join refused as in stock).
  const admin = { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` };
  const slug = `e2e-scarf-${Date.now().toString(36)}`;
  const created = await operator.post("/api/admin/products", {
    headers: admin,
    data: { slug, name: "Plain Form Scarf", priceCents: 3_000, variants: [{ stock: 0 }] },
  });
  expect(created.status()).toBe(201);
  const { product } = (await created.json()) as { product: { id: number } };
  try {
    // Every page load of the waiter's tab, from before it joins: the page's own wait is one of them.
    const waits: string[] = [];
    waiter.on("request", (r) => r.isNavigationRequest() && waits.push(new URL(r.url()).pathname));
    await waiter.goto(`/products/${slug}`);
    await waiter.getByRole("button", { name: /^Join the line for Plain Form Scarf/ }).click();
    await expect(waiter).toHaveURL(`${base}/products/${slug}`);
    await expect(waiter.getByTestId("flash")).toHaveText("You joined the line for the Plain Form Scarf.");
    await expect(waiter.getByTestId("in-line")).toContainText("You're 1st in line");
    // Said once: the page tells the place, the notice only that the step was taken.
    await expect(waiter.getByText(/1st in line/)).toHaveCount(1);

    // A unit comes back (the operator restocks). Nobody reloads the page: it waits for the offer by
    // its meta refresh (app/waitlist/wait), and comes back to itself with the offer on it.
    const restock = await operator.post(`/api/admin/products/${product.id}/stock`, {
      headers: admin,
      data: { add: 1 },
    });
    expect(restock.status()).toBe(200);
    await expect(waiter.getByTestId("offers")).toContainText("The Plain Form Scarf you waited for is held for you", {
      timeout: 30_000,
    });
    await expect(waiter).toHaveURL(`${base}/products/${slug}`);
    expect(waits).toContain("/waitlist/wait");
    expect(waits.at(-1)).toBe(`/products/${slug}`);
    expect(await countersOf(operator, slug, base)).toMatchObject({ available: 0, reserved: 1 });

    await waiter.getByRole("link", { name: "Check out now" }).click();
    await waiter.getByLabel("E-mail").fill("nojs-waiter@example.com");
    await waiter.getByLabel("Name", { exact: true }).fill("Plain Form");
    await waiter.getByRole("button", { name: "Place order" }).click();
    await expect(waiter.getByRole("heading", { name: "Thank you, Plain Form!" })).toBeVisible();
    expect(await countersOf(operator, slug, base)).toMatchObject({ available: 0, reserved: 0, sold: 1 });
    expectConserved(await inventory(operator, base));
  } finally {
    await operator.patch(`/api/admin/products/${product.id}`, { headers: admin, data: { archived: true } });
  }
});
