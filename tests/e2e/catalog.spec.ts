import { expect, test } from "@playwright/test";

test("a shopper opens the catalog, sees products with images and stock, and opens a product page", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "The shop" })).toBeVisible();
  const products = page.getByRole("list", { name: "Products" }).getByRole("listitem");
  await expect(products).toHaveCount(13);

  const mug = products.filter({ hasText: "Enamel Camp Mug" });
  await expect(mug.getByRole("img", { name: "Enamel Camp Mug" })).toBeVisible();
  await expect(mug).toContainText("$18.00");
  await expect(mug).toContainText(/\d+ left/);
  // Every picture actually loads (no broken images): scrolled to the end, so the lazy ones below load too.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await expect
    .poll(() => page.$$eval("img", (imgs) => imgs.filter((i) => !(i.complete && i.naturalWidth > 0)).length))
    .toBe(0);

  await mug.getByRole("link", { name: "Enamel Camp Mug" }).click();
  await expect(page).toHaveURL(/\/products\/enamel-camp-mug$/);
  await expect(page.getByRole("heading", { level: 1, name: "Enamel Camp Mug" })).toBeVisible();
  await expect(page.getByTestId("stock")).toContainText(/\d+ left/);
  await expect(page.getByRole("button", { name: "Add Enamel Camp Mug to cart" })).toBeEnabled();
});

test("an unknown product is a 404 page", async ({ page }) => {
  const response = await page.goto("/products/no-such-thing");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});

test("the catalog reads well on a phone", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto("/");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByRole("button", { name: /^Cart, \d+ items?$/ })).toBeVisible();
  await context.close();
});
