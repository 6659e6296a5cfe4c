import AxeBuilder from "@axe-core/playwright";
import { expect, test, type BrowserContext, type Locator, type Page } from "@playwright/test";
import { ADMIN_TOKEN, servers } from "../../playwright.config";

// The operator's view: signing in and out, the dashboard following the store live, restocking.

const main = `http://localhost:${servers.main.port}`;
const short = `http://localhost:${servers.short.port}`;

async function signIn(page: Page, base = main): Promise<void> {
  await page.goto(`${base}/admin`);
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Operator view" })).toBeVisible();
  await expect(page.getByTestId("connection")).toHaveText(/Live/);
}

const row = (page: Page, slug: string) => page.getByTestId(`product-${slug}`);
const count = async (cell: Locator) => Number(await cell.innerText());

async function productId(context: BrowserContext, base: string, slug: string): Promise<number> {
  const response = await context.request.get(`${base}/api/products/${slug}`);
  return ((await response.json()) as { product: { id: number } }).product.id;
}

/** A shopper in a browser context of their own holds `quantity` of a product. */
async function shopperHolds(context: BrowserContext, base: string, slug: string, quantity: number): Promise<void> {
  const id = await productId(context, base, slug);
  const response = await context.request.post(`${base}/api/cart/items`, { data: { productId: id, quantity } });
  expect(response.status()).toBe(200);
}

/** "Last hour: 3 created · 2 released (event 1, sweep 1, lazy 0, empty 0, operator 0) · 1 converted" as numbers. */
async function lastHour(page: Page) {
  const text = await page.getByTestId("holds-summary").innerText();
  const match =
    /(\d+) created · (\d+) released \(event (\d+), sweep (\d+), lazy (\d+), empty (\d+), operator (\d+)\) · (\d+) converted/.exec(
      text,
    );
  if (!match) throw new Error(`unexpected summary: ${text}`);
  const [created, released, event, sweep] = match.slice(1).map(Number) as [number, number, number, number];
  return { created, released, event, sweep };
}

test("a wrong token is refused; the right one opens the dashboard with a strict, httpOnly session", async ({
  page,
  context,
}) => {
  await page.goto("/admin");
  await page.getByLabel("Admin token").fill("not-the-admin-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "admin token" })).toHaveText("That is not the admin token.");
  await expect(page.getByRole("heading", { name: "Operator view" })).toHaveCount(0);
  expect((await context.request.get("/api/admin/stream")).status()).toBe(401);

  await signIn(page);
  const session = (await context.cookies()).find((c) => c.name === "holdcart_admin");
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
  await expect(row(page, "canvas-tote-bag")).toBeVisible();
  // The session opens the JSON routes too, as the bearer token does for scripts.
  expect((await context.request.get("/api/admin/inventory")).status()).toBe(200);
  expect((await context.request.get("/api/metrics")).status()).toBe(200);
});

test("a shopper's add in another browser shows on the dashboard within a second", async ({ page, browser }) => {
  await signIn(page);
  const tote = row(page, "canvas-tote-bag");
  const [inCarts, available] = [await count(tote.getByTestId("in-carts")), await count(tote.getByTestId("available"))];

  const shopper = await browser.newContext();
  await shopperHolds(shopper, main, "canvas-tote-bag", 2);
  await expect(tote.getByTestId("in-carts")).toHaveText(String(inCarts + 2), { timeout: 1_000 });
  await expect(tote.getByTestId("available")).toHaveText(String(available - 2), { timeout: 1_000 });
  await expect(tote.getByRole("cell", { name: /^in \d+:\d\d$/ })).toBeVisible();
  await shopper.close();
});

test("a hold that runs out goes from in carts back to available, and the release shows in the charts' data", async ({
  page,
  browser,
}) => {
  await signIn(page, short);
  const mug = row(page, "enamel-camp-mug");
  await expect(mug).toBeVisible();
  const [inCarts, available] = [await count(mug.getByTestId("in-carts")), await count(mug.getByTestId("available"))];
  const before = await lastHour(page);

  const shopper = await browser.newContext();
  await shopperHolds(shopper, short, "enamel-camp-mug", 1);
  await expect(mug.getByTestId("in-carts")).toHaveText(String(inCarts + 1));
  await expect(mug.getByTestId("available")).toHaveText(String(available - 1));
  // The hold is listed by the start of its cart id, with what it holds, its countdown, the
  // extensions used and the operator's "Release".
  const cartId = (await shopper.cookies()).find((c) => c.name === "cart")?.value.slice(0, 8) ?? "";
  const hold = page.getByRole("row", {
    name: new RegExp(`^${cartId} 1 × Enamel Camp Mug \\d:\\d\\d 0 Release hold ${cartId}$`),
  });
  await expect(hold).toBeVisible();
  expect((await lastHour(page)).created).toBe(before.created + 1);

  // The short server holds for 8 s; the worker releases within a sweep interval + 1 s after that.
  await expect(mug.getByTestId("in-carts")).toHaveText(String(inCarts), { timeout: 15_000 });
  await expect(mug.getByTestId("available")).toHaveText(String(available));
  await expect(hold).toHaveCount(0);
  const after = await lastHour(page);
  expect(after.released).toBe(before.released + 1);
  expect(after.event + after.sweep).toBe(before.event + before.sweep + 1);
  await expect(page.getByTestId("lag-summary")).toHaveText(/^\d+ releases · p50 [\d,]+ ms · p99 [\d,]+ ms$/);
  await shopper.close();
});

// Bamboo Cutting Board: a product no other suite counts on, so its larger stock changes nothing there.
test("restocking through the form grows on hand and available", async ({ page }) => {
  await signIn(page);
  const board = row(page, "bamboo-cutting-board");
  const [onHand, available] = [await count(board.getByTestId("on-hand")), await count(board.getByTestId("available"))];
  await board.getByLabel("Units received of Bamboo Cutting Board").fill("5");
  await board.getByRole("button", { name: "Restock Bamboo Cutting Board" }).click();
  await expect(board.getByRole("status")).toHaveText(`Received 5: ${available + 5} available, ${onHand + 5} on hand.`);
  await expect(board.getByTestId("on-hand")).toHaveText(String(onHand + 5));
  await expect(board.getByTestId("available")).toHaveText(String(available + 5));
});

test("has no serious or critical accessibility violation", async ({ page }) => {
  await page.goto("/admin");
  const axe = () =>
    new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  const grave = (violations: Awaited<ReturnType<typeof axe>>["violations"]) =>
    violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(grave((await axe()).violations), "sign-in").toEqual([]);
  await signIn(page);
  expect(grave((await axe()).violations), "dashboard").toEqual([]);
});

test("after signing out the page and its stream refuse", async ({ page, context }) => {
  await signIn(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByLabel("Admin token")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Operator view" })).toHaveCount(0);
  expect((await context.cookies()).find((c) => c.name === "holdcart_admin")).toBeUndefined();

  await page.reload();
  await expect(page.getByLabel("Admin token")).toBeVisible();
  expect((await context.request.get("/api/admin/stream")).status()).toBe(401);
  expect((await context.request.get("/api/metrics")).status()).toBe(401);
  expect((await context.request.get("/api/admin/inventory")).status()).toBe(401);
});

test("an active hold names what it holds, and the operator can end it by hand: its units come back, logged as 'operator'", async ({
  page,
  browser,
}) => {
  const shopper = await browser.newContext({ baseURL: main });
  await shopperHolds(shopper, main, "wool-beanie", 2);
  await signIn(page);
  const releasedByOperator = async () =>
    Number(
      /holdcart_holds_released_total\{path="operator"\} (\d+)/.exec(
        await (await page.context().request.get("/api/metrics")).text(),
      )?.[1] ?? 0,
    );
  const operatorBefore = await releasedByOperator();
  const before = await count(row(page, "wool-beanie").getByTestId("in-carts"));
  const hold = page.getByTestId("holds").getByRole("row").filter({ hasText: "2 × Wool Beanie" });
  await expect(hold).toHaveCount(1);
  await hold.getByRole("button", { name: /^Release hold [0-9a-f]{8}$/ }).click();
  await expect(hold).toHaveCount(0);
  // Said once for the table (the row is gone), and the focus is on the table's heading, not lost.
  await expect(
    page.getByRole("status").filter({ hasText: "Released: 2 units back to the line or to stock." }),
  ).toBeVisible();
  await expect(page.getByRole("heading", { name: /^Active holds/ })).toBeFocused();
  await expect(row(page, "wool-beanie").getByTestId("in-carts")).toHaveText(String(before - 2));
  // The shopper's cart holds nothing any more, and the release is counted by its own path.
  const cart = (await (await shopper.request.get(`${main}/api/cart`)).json()) as { cart: { items: unknown[] } };
  expect(cart.cart.items).toHaveLength(0);
  expect(await releasedByOperator()).toBe(operatorBefore + 1);
  await shopper.close();
});

test("recent orders are listed, newest first, with what they bought", async ({ page, browser }) => {
  const shopper = await browser.newContext({ baseURL: main });
  await shopperHolds(shopper, main, "enamel-camp-mug", 1);
  const placed = await shopper.request.post(`${main}/api/checkout`, {
    data: { email: "ops@example.com", name: "Ops" },
  });
  expect(placed.status()).toBe(201);
  const { order } = (await placed.json()) as { order: { id: string } };
  await signIn(page);
  const first = page.getByTestId("orders").getByRole("row").nth(1);
  await expect(first).toContainText(`#${order.id.slice(0, 8).toUpperCase()}`);
  await expect(first).toContainText("1 × Enamel Camp Mug");
  await expect(first).toContainText("ops@example.com");
  await shopper.close();
});

test("on a phone the dashboard fits the screen, restock stays in reach, and the charts follow the window", async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page);
  await expect(page.locator(".uplot").first()).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth))
    .toBeLessThanOrEqual(0);
  const restock = page.getByRole("button", { name: "Restock Canvas Tote Bag" });
  await restock.scrollIntoViewIfNeeded();
  const box = await restock.boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  // The per-minute charts are bars in three colours, each with its axis in holds a minute.
  await expect(page.getByRole("img", { name: /per minute, last hour/ })).toHaveCount(3);
});
