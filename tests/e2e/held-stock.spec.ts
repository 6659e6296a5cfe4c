import { expect, test, type APIRequestContext } from "@playwright/test";
import { servers } from "../../playwright.config";
import { countersOf, HELD } from "./support";

// This server holds carts for 8 seconds.
const short = `http://localhost:${servers.short.port}`;
const PRINT = "limited-edition-art-print"; // one unit in stock
const MUG = "enamel-camp-mug";

type ApiProduct = { id: number; slug: string; available: number; reserved: number; nextReleaseAt: string | null };

async function catalog(request: APIRequestContext, base: string): Promise<ApiProduct[]> {
  return ((await (await request.get(`${base}/api/products`)).json()) as { products: ApiProduct[] }).products;
}

test.describe("held is not sold", () => {
  test("a shopper sees the last print is in someone's cart and when that hold ends, then sees it come back without reloading", async ({
    browser,
    playwright,
    request,
  }) => {
    expect((await countersOf(request, PRINT, short)).available).toBe(1);
    const holder = await playwright.request.newContext({ baseURL: short });
    const { id } = await countersOf(request, PRINT, short);
    const heldAt = Date.now();
    expect((await holder.post("/api/cart/items", { data: { productId: id, quantity: 1 } })).status()).toBe(200);

    // The API tells the hold from a sale: in a cart, and when the first hold ends.
    const print = (await catalog(request, short)).find((p) => p.slug === PRINT);
    expect(print).toMatchObject({ available: 0, reserved: 1 });
    expect(print?.nextReleaseAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const releaseAt = Date.parse(print?.nextReleaseAt ?? "");
    expect(releaseAt).toBeGreaterThan(heldAt);
    expect(releaseAt).toBeLessThanOrEqual(Date.now() + servers.short.ttlSeconds * 1_000 + 1_000);

    const context = await browser.newContext({ baseURL: short });
    const shopper = await context.newPage();
    await shopper.goto(`/products/${PRINT}`);
    const stock = shopper.getByTestId("stock");
    await expect(stock).toHaveText(/^The last one is in a shopper's cart\. Their hold ends in 0:0\d\.$/);
    await expect(stock).toHaveText(HELD);
    // Nothing to hold now: the page does not promise a hold.
    await expect(shopper.getByText(/Adding it holds it for you/)).toHaveCount(0);

    // The worker releases the hold: the page hears it over the stock stream.
    await expect(stock).toHaveText("Only 1 left", { timeout: 15_000 });
    await expect(shopper.getByText("Adding it holds it for you for 8 seconds")).toBeVisible();
    const released = (await catalog(request, short)).find((p) => p.slug === PRINT);
    expect(released).toMatchObject({ available: 1, reserved: 0, nextReleaseAt: null });
    await holder.dispose();
    await context.close();
  });

  test("the catalog card of a held product says so once, with its picture dimmed", async ({
    browser,
    playwright,
    request,
  }) => {
    const holder = await playwright.request.newContext({ baseURL: short });
    const { id } = await countersOf(request, PRINT, short);
    expect((await holder.post("/api/cart/items", { data: { productId: id, quantity: 1 } })).status()).toBe(200);

    const context = await browser.newContext({ baseURL: short });
    const page = await context.newPage();
    await page.goto("/");
    const card = page.getByRole("article", { name: "Limited-Edition Art Print" });
    await expect(card).toContainText(/The last one is in a shopper's cart\. Their hold ends in 0:0\d\./);
    await expect(card).toHaveAttribute("data-unavailable", "");
    await expect(card).not.toContainText(/Sold out.*Sold out/);

    await expect(card).toContainText("Only 1 left", { timeout: 15_000 });
    await expect(card).not.toHaveAttribute("data-unavailable");
    await holder.dispose();
    await context.close();
  });

  test("a product nobody holds reports reserved 0 and no next release", async ({ request }) => {
    const mug = (await catalog(request, "")).find((p) => p.slug === MUG);
    expect(mug).toMatchObject({ reserved: 0, nextReleaseAt: null });
    const one = (await (await request.get(`/api/products/${MUG}`)).json()) as { product: ApiProduct };
    expect(one.product).toMatchObject({ reserved: 0, nextReleaseAt: null });
    expect(one.product).not.toHaveProperty("nextReleaseInMs");
  });
});

test("a catalog card's picture opens the product page, with one tab stop for picture and title", async ({ page }) => {
  await page.goto("/");
  const card = page.getByRole("article", { name: "Enamel Camp Mug" });
  await expect(card.getByRole("link")).toHaveCount(1);
  const picture = await card.getByRole("img", { name: "Enamel Camp Mug" }).boundingBox();
  if (!picture) throw new Error("no picture");
  await page.mouse.click(picture.x + picture.width / 2, picture.y + picture.height / 2);
  await expect(page).toHaveURL(/\/products\/enamel-camp-mug$/);
  await expect(page.getByText("Adding it holds it for you for 2 minutes")).toBeVisible();
});

test.describe("a shopper in New York", () => {
  test.use({ locale: "en-US", timezoneId: "America/New_York" });

  test("the order page shows a short order number, the pictures, the total and the time there", async ({ page }) => {
    const { id } = await countersOf(page.request, "canvas-tote-bag");
    await page.request.post("/api/cart/items", { data: { productId: id, quantity: 2 } });
    const placed = await page.request.post("/api/checkout", { data: { email: "ada@example.com", name: "Ada" } });
    expect(placed.status()).toBe(201);
    const { order } = (await placed.json()) as { order: { id: string } };

    await page.goto(`/orders/${order.id}`);
    await expect(page.getByRole("heading", { name: "Thank you, Ada!" })).toBeVisible();
    const number = order.id.slice(0, 8).toUpperCase();
    await expect(page.getByText(`Order #${number}`)).toBeVisible();
    await expect(page.getByText(order.id)).toHaveCount(0);
    const items = page.getByRole("list", { name: "Items ordered" });
    await expect(items).toContainText("2 × Canvas Tote Bag");
    const pictures = items.locator("img");
    await expect(pictures).toHaveCount(1);
    await expect
      .poll(() => pictures.evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0)))
      .toBe(true);
    await expect(page.getByTestId("order-total")).toHaveText("$18.00");
    // In the shopper's time zone, said so, written as the shop writes every moment (the same
    // words as the page without JavaScript, which shows UTC).
    const placedAt = page.locator("time").first();
    const iso = (await placedAt.getAttribute("datetime")) ?? "";
    const hourThere = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", timeZone: "America/New_York" }).format(
      new Date(iso),
    );
    await expect(placedAt).toHaveText(new RegExp(`^\\d{1,2} [A-Z][a-z]{2} \\d{4}, ${hourThere}:\\d\\d GMT-[45]$`));
    await page.getByRole("link", { name: "Continue shopping" }).click();
    await expect(page).toHaveURL(/\/$/);
  });
});
