import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN_TOKEN } from "../../playwright.config";
import { countdownSeconds, countersOf, shownStock } from "./support";

// A catalog or product page is answered from one render shared by every view (lib/pages/), until a
// stock change ends it: a browser that holds nothing gets it, and so does one that holds something
// and runs the pages' script, whose page then reads its hold. What a shopper sees must not tell:
// the stock is the ledger's, live with JavaScript and in the HTML without it, and the hold is theirs.

const SKILLET = { slug: "cast-iron-skillet", name: "Cast-Iron Skillet" }; // no other suite counts its stock
const BLANKET = { slug: "linen-throw-blanket", name: "Linen Throw Blanket" }; // 12 in stock, nobody else's

/**
 * Loads `path` right after another view of it, until the page comes from that view's render (any
 * stock change in the store, other suites' holds ending included, ends a shared render, and so
 * does PAGE_CACHE_MS: a second).
 */
async function sharedView(page: Page, path: string): Promise<void> {
  await expect(async () => {
    expect((await page.request.get(path)).status()).toBe(200);
    const response = await page.goto(path);
    expect(response?.headers()["x-page-cache"]).toBe("hit");
  }).toPass({ timeout: 15_000 });
}

async function hold(request: APIRequestContext, productId: number, quantity: number): Promise<void> {
  const response = await request.post("/api/cart/items", { data: { productId, quantity } });
  expect(response.status()).toBe(200);
}

test("a restock shows on a product page served from the shared render: live on the open page, and in the next load's HTML", async ({
  browser,
  request,
}) => {
  const { id } = await countersOf(request, SKILLET.slug);
  const context = await browser.newContext();
  const page = await context.newPage();
  await sharedView(page, `/products/${SKILLET.slug}`);
  const before = await shownStock(page);
  expect(before).toBe((await countersOf(request, SKILLET.slug)).available);

  const restock = await request.post(`/api/admin/products/${id}/stock`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    data: { add: 7 },
  });
  expect(restock.status()).toBe(200);

  // The open page hears it on its stock stream (COALESCE_MS, then one read of the ledger).
  await expect(page.getByTestId("stock")).toHaveText(`${before + 7} left`, { timeout: 2_000 });

  // A fresh load, without JavaScript so that only the HTML speaks: the restock ended the shared
  // render, and the one after it is shared again.
  const fresh = await browser.newContext({ javaScriptEnabled: false });
  const noScript = await fresh.newPage();
  const response = await noScript.goto(`/products/${SKILLET.slug}`);
  expect(response?.headers()["x-page-cache"]).toBe("miss");
  await expect(noScript.getByTestId("stock")).toHaveText(`${before + 7} left`, { timeout: 1 });
  await sharedView(noScript, `/products/${SKILLET.slug}`);
  await expect(noScript.getByTestId("stock")).toHaveText(`${before + 7} left`, { timeout: 1 });
  await Promise.all([context.close(), fresh.close()]);
});

test("without JavaScript a page shows the stock and the time left as the server knew them, shared or a shopper's own", async ({
  browser,
  playwright,
  request,
  baseURL,
}) => {
  const { id, available } = await countersOf(request, BLANKET.slug);
  // Two other shoppers hold every blanket (at most 10 per cart).
  const holders = await Promise.all([0, 1].map(() => playwright.request.newContext({ baseURL })));
  await hold(holders[0]!, id, Math.min(10, available));
  if (available > 10) await hold(holders[1]!, id, available - 10);

  try {
    // A browser that holds nothing: the shared render, with the first hold's time left in it.
    const anonymous = await browser.newContext({ javaScriptEnabled: false });
    const page = await anonymous.newPage();
    await sharedView(page, `/products/${BLANKET.slug}`);
    const held = new RegExp(`^All ${available} are in shoppers' carts\\. The first hold ends in (\\d+):(\\d\\d)\\.$`);
    const stock = page.getByTestId("stock");
    await expect(stock).toHaveText(held, { timeout: 1 });
    const [, m, s] = held.exec(await stock.innerText()) ?? [];
    expect(Number(m) * 60 + Number(s)).toBeGreaterThan(100); // the main server holds for 120 s
    await expect(page.getByRole("link", { name: "Cart, 0 items" })).toBeVisible();

    // A shopper who holds something: their own page, their hold's time left in the header.
    const shopper = await browser.newContext({ javaScriptEnabled: false });
    const own = await shopper.newPage();
    await own.goto(`/products/${SKILLET.slug}`);
    await own.getByRole("button", { name: `Add ${SKILLET.name} to cart` }).click();
    await expect(own).toHaveURL(/\/cart$/);
    const ownView = await own.goto(`/products/${BLANKET.slug}`);
    expect(ownView?.headers()["x-page-cache"]).toBeUndefined();
    await expect(own.getByRole("link", { name: "Cart, 1 item" })).toBeVisible();
    expect(await countdownSeconds(own)).toBeGreaterThan(100);
    await expect(own.getByTestId("stock")).toHaveText(held, { timeout: 1 });

    // The catalog, shared, says the same of the blanket; the shopper's hold stays theirs alone.
    await page.goto("/");
    const card = page.getByRole("listitem").filter({ hasText: BLANKET.name });
    await expect(card).toContainText(`All ${available} are in shoppers' carts.`, { timeout: 1 });
    await expect(page.getByRole("link", { name: "Cart, 0 items" })).toBeVisible();
    await Promise.all([anonymous.close(), shopper.close()]);
  } finally {
    for (const holder of holders) {
      await holder.delete("/api/cart");
      await holder.dispose();
    }
  }
});

test("a shopper with JavaScript who holds something is sent the shared render, and the page shows their hold", async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`/products/${SKILLET.slug}`);
  await page.getByRole("button", { name: `Add ${SKILLET.name} to cart` }).click();
  await expect(page.getByRole("button", { name: "Cart, 1 item" })).toBeVisible();
  // The header counts the add at once; the cart is the browser's when the action's answer set its cookie.
  await expect.poll(async () => (await context.cookies()).some((c) => c.name === "cart")).toBe(true);
  try {
    // The next full loads are the render everyone shares, sent with word to read the hold.
    for (const path of [`/products/${BLANKET.slug}`, "/"]) {
      const response = await page.goto(path);
      expect(response?.headers()["x-page-cache"]).toMatch(/^(hit|miss|stale)$/);
      expect((await response?.allHeaders())?.["set-cookie"]).toMatch(/^read-hold=1;/);
      await expect(page.getByRole("button", { name: "Cart, 1 item" })).toBeVisible();
      expect(await countdownSeconds(page)).toBeGreaterThan(100); // the main server holds for 120 s
    }
    const response = await page.goto(`/products/${SKILLET.slug}`);
    expect(response?.headers()["x-page-cache"]).toMatch(/^(hit|miss|stale)$/);
    await expect(page.getByRole("button", { name: "Cart, 1 item" })).toBeVisible();

    // Until the hold is read the header shows no count (not the shared render's 0).
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/hold", async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`/products/${BLANKET.slug}`);
    await expect(page.getByRole("button", { name: "Cart, 0 items" })).toBeVisible(); // hydrated, not yet read
    await expect(page.getByTestId("cart-count")).toBeHidden();
    release();
    await expect(page.getByRole("button", { name: "Cart, 1 item" })).toBeVisible();
    await expect(page.getByTestId("cart-count")).toHaveText("1");
    await page.unroute("**/api/hold");

    // The same render reaches a browser that holds nothing: its header is its own, empty.
    const other = await (await browser.newContext()).newPage();
    await sharedView(other, "/");
    await expect(other.getByRole("button", { name: "Cart, 0 items" })).toBeVisible();
    await expect(other.getByTestId("cart-count")).toHaveText("0");
    await expect(other.getByRole("timer")).toHaveCount(0);
    await other.context().close();
  } finally {
    await page.request.delete("/api/cart");
    await context.close();
  }
});

test("a click from the catalog to a product is answered from the shared renders for a browser that holds nothing; a shopper's own click is rendered for them and keeps their hold", async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  /** Clicks the product on the catalog: the answer to the click's request of the page's payload (Next's RSC request). */
  const click = async () => {
    const payload = page.waitForResponse((r) => r.url().includes(`/products/${BLANKET.slug}?_rsc=`));
    await page.getByRole("link", { name: BLANKET.name, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: BLANKET.name })).toBeVisible();
    return payload;
  };
  try {
    // Whether this click's render was made for it or shared is the reliability suite's to prove
    // (tests/reliability/shared-pages.test.ts): here, that the page a shared payload makes is right.
    await page.goto("/");
    expect((await click()).headers()["x-page-cache"]).toMatch(/^(hit|miss|stale)$/);
    const { available } = await countersOf(page.request, BLANKET.slug);
    await expect(page.getByTestId("stock")).toHaveText(`${available} left`);
    await expect(page.getByRole("button", { name: "Cart, 0 items" })).toBeVisible();

    // Holding something, the shopper's clicks are rendered for them, and the header keeps the hold.
    await page.getByRole("button", { name: `Add ${BLANKET.name} to cart` }).click();
    await expect(page.getByRole("button", { name: "Cart, 1 item" })).toBeVisible();
    await expect.poll(async () => (await context.cookies()).some((c) => c.name === "cart")).toBe(true);
    const home = page.waitForResponse((r) => new URL(r.url()).pathname === "/" && r.url().includes("_rsc="));
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Shop" }).click();
    expect((await home).headers()["x-page-cache"]).toBeUndefined();
    expect((await click()).headers()["x-page-cache"]).toBeUndefined();
    await expect(page.getByRole("button", { name: "Cart, 1 item" })).toBeVisible();
  } finally {
    await page.request.delete("/api/cart");
    await context.close();
  }
});
