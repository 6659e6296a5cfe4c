import { expect, test, type Browser } from "@playwright/test";
import { servers } from "../../playwright.config";

// A shopper on a phone: what they came for fits the first screen, and the header stays small.

const holdBase = `http://localhost:${servers.hold.port}`;

/** A phone's browser: its screen, touch, and the main server unless another is named. */
const phone = (browser: Browser, width: number, height: number, baseURL?: string) =>
  browser.newContext({ viewport: { width, height }, isMobile: true, hasTouch: true, ...(baseURL ? { baseURL } : {}) });

test("at 390 × 844 a product page shows the price, the stock and 'Add to cart' without scrolling", async ({
  browser,
}) => {
  const context = await phone(browser, 390, 844);
  const page = await context.newPage();
  await page.goto("/products/enamel-camp-mug");
  const add = page.getByRole("button", { name: "Add Enamel Camp Mug to cart" });
  const box = await add.boundingBox();
  expect(box).not.toBeNull();
  expect(box!.y + box!.height).toBeLessThanOrEqual(844);
  await expect(page.getByTestId("stock")).toBeInViewport();
  await context.close();
});

test("on a phone the hold's warning is a compact bar, and 'Add to cart' stays on the first screen under it", async ({
  browser,
}) => {
  test.setTimeout(60_000);
  const context = await phone(browser, 390, 844, holdBase);
  const page = await context.newPage();
  await page.goto("/products/trail-water-bottle");
  await page.getByRole("button", { name: "Add Trail Water Bottle to cart" }).click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  await expect(page.getByTestId("hold-warning")).toBeVisible({ timeout: 15_000 });
  const header = await page.locator("header").boundingBox();
  // The header with its countdown and warning takes at most 15% of the screen's height (it took 21%).
  expect(header!.height).toBeLessThanOrEqual(844 * 0.15);
  const add = await page.getByRole("button", { name: "Add Trail Water Bottle to cart" }).boundingBox();
  expect(add!.y + add!.height).toBeLessThanOrEqual(844);
  await context.close();
});

test("at 320 px, holding something, the header fits: the count beside 'Cart', and nothing scrolls sideways", async ({
  browser,
}) => {
  const context = await phone(browser, 320, 640);
  const page = await context.newPage();
  await page.goto("/products/enamel-camp-mug");
  await page.getByRole("button", { name: "Add Enamel Camp Mug to cart" }).click();
  await expect(page.getByRole("timer")).toBeVisible();
  const cart = page.getByRole("button", { name: /^Cart, \d+ items?$/ });
  const count = page.getByTestId("cart-count");
  const [cartBox, countBox] = [await cart.boundingBox(), await count.boundingBox()];
  // On one line: the count's middle lies within the button's height, right of the word.
  expect(countBox!.y + countBox!.height / 2).toBeGreaterThan(cartBox!.y);
  expect(countBox!.y + countBox!.height / 2).toBeLessThan(cartBox!.y + cartBox!.height);
  expect(cartBox!.height).toBeLessThanOrEqual(48);
  expect(countBox!.x + countBox!.width).toBeLessThanOrEqual(320);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await context.close();
});
