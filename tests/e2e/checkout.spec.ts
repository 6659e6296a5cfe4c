import { expect, test } from "@playwright/test";
import { countersOf, expectConserved, inventory, shownStock } from "./support";

test("a shopper buys two products: confirmation with the right total, empty badge, stock stays lower", async ({
  browser,
  request,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const picks = [
    { slug: "leather-notebook", name: "Leather Notebook", price: 4_200, quantity: 2 },
    { slug: "ceramic-planter", name: "Ceramic Planter", price: 3_800, quantity: 1 },
  ];
  const before = new Map<string, number>();
  for (const p of picks) {
    await page.goto(`/products/${p.slug}`);
    before.set(p.slug, await shownStock(page));
    await page.getByLabel("Quantity").fill(String(p.quantity));
    await page.getByRole("button", { name: `Add ${p.name} to cart` }).click();
    await expect(page.getByRole("status").filter({ hasText: "Added" })).toBeVisible();
  }
  await expect(page.getByTestId("cart-count")).toHaveText("3");

  await page.goto("/cart");
  await page.getByLabel("E-mail").fill("not-an-email");
  await page.getByLabel("Name", { exact: true }).fill("Grace Hopper");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByText("Enter a valid e-mail address.")).toBeVisible();

  await page.getByLabel("E-mail").fill("grace@example.com");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "Thank you, Grace Hopper!" })).toBeVisible();
  await expect(page.getByTestId("order-total")).toHaveText("$122.00"); // 2 × 42 + 38
  const items = page.getByRole("list", { name: "Items ordered" });
  await expect(items).toContainText("2 × Leather Notebook");
  await expect(items).toContainText("1 × Ceramic Planter");
  await expect(page.getByTestId("cart-count")).toHaveText("0");
  const orderUrl = page.url();

  for (const p of picks) {
    await page.goto(`/products/${p.slug}`);
    expect(await shownStock(page)).toBe((before.get(p.slug) ?? 0) - p.quantity);
    expect((await countersOf(request, p.slug)).reserved).toBe(0);
  }
  expectConserved(await inventory(request));

  // The order page is the buyer's alone: another browser gets a 404.
  const stranger = await (await browser.newContext()).newPage();
  const response = await stranger.goto(orderUrl);
  expect(response?.status()).toBe(404);
  await expect(stranger.getByText("Thank you")).toHaveCount(0);

  // The buyer's next add starts a new cart.
  await page.goto("/");
  await expect(page.getByTestId("cart-count")).toHaveText("0");
  await context.close();
});

test.describe("checkout API", () => {
  test("201 with the order; the cart cookie is cleared; a second submit without a cart is 409", async ({
    playwright,
    baseURL,
  }) => {
    const shopper = await playwright.request.newContext({ baseURL });
    const bottle = await countersOf(shopper, "trail-water-bottle");
    await shopper.post("/api/cart/items", { data: { productId: bottle.id, quantity: 2 } });
    const placed = await shopper.post("/api/checkout", { data: { email: "lin@example.com", name: "Lin" } });
    expect(placed.status()).toBe(201);
    const { order } = (await placed.json()) as { order: { id: string; totalCents: number; items: unknown[] } };
    expect(order.totalCents).toBe(2 * 2_600);
    expect(order.items).toEqual([
      {
        productId: bottle.id,
        slug: "trail-water-bottle",
        name: "Trail Water Bottle",
        quantity: 2,
        unitPriceCents: 2_600,
      },
    ]);
    expect(placed.headers()["set-cookie"]).toMatch(/cart=;/);
    expect((await countersOf(shopper, "trail-water-bottle")).sold).toBe(bottle.sold + 2);

    const again = await shopper.post("/api/checkout", { data: { email: "lin@example.com", name: "Lin" } });
    expect(again.status()).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("cart_empty");
    await shopper.dispose();
  });

  test("a tampered cookie places no order", async ({ request }) => {
    const before = await inventory(request);
    const response = await request.post("/api/checkout", {
      headers: { cookie: "cart=00000000-0000-0000-0000-000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
      data: { email: "eve@example.com", name: "Eve" },
    });
    expect(response.status()).toBeGreaterThanOrEqual(400);
    expect(response.status()).toBeLessThan(500);
    expect((await inventory(request)).products).toEqual(before.products);
  });

  test("bad contact details are a 400", async ({ request }) => {
    const response = await request.post("/api/checkout", { data: { email: "nope", name: "" } });
    expect(response.status()).toBe(400);
  });
});
